export { TestCluster, testCluster, type TestClusterOptions, type TestNode } from './test-cluster.js';
