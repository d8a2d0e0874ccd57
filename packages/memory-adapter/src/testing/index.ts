export { TestCluster, testCluster, type TestClusterOptions, type TestNode } from './test-cluster.js';
export { seededBugs } from '../seeded-bugs.js';
