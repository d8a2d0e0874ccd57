#!/bin/sh
# The `baton` command on its memory: demo, which needs no server: every run starts from the same
# seeded queues (emails, reports), nodes (node-1, node-2 in group baton),
# lock (nightly-report) and election (scheduler).
# Point BATON_URL at redis://… or postgres://… to run the same commands on a deployment.
set -e
export BATON_URL=memory:

baton queues
baton stats emails --json
baton tasks emails --state dead
baton task emails welcome-ada
baton retry emails --all
baton purge emails --state finished --yes
baton nodes
baton locks nightly-report
baton enqueue emails '{"to":"ada@example.com","template":"welcome"}' --id welcome-ada-2

# Expected failures are one line on stderr and an exit code: 2 for bad usage (here bad JSON),
# 1 for something that does not exist.
baton enqueue emails '{"to":' || echo "exit code $?"
baton task emails no-such-task || echo "exit code $?"
