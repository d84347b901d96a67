# Items are JSON values, one per line, from a file or stdin.
printf '%s\n' '{"n": 1}' '{"n": 2}' '{"n": 3}' | npx flatmachines-hub push --pool numbers

# Any program is a worker: the item's data arrives on stdin; exit 0 completes the item with
# stdout (JSON if it parses), any other exit fails it with the end of stderr.
npx flatmachines-hub worker --pool numbers --concurrency 2 --exit-when-empty -- \
  sh -c 'data=$(cat); echo "{\"seen\": $data, \"by\": \"$HUB_WORKER_ID\"}"'

npx flatmachines-hub pools
npx flatmachines-hub workers --status terminated
