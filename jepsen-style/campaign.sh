#!/usr/bin/env bash
# The long-run campaign of issue 8's goal: at least 30 minutes of combined-fault runs across
# all workloads (register 600 s, counter/set/list-append 420 s each = 1860 s), every fault
# kind with --combine and a fixed seed, then the two-log-down scenario.
#
#   jepsen-style/campaign.sh [SUMMARY_FILE]
#
# Writes one line per run to SUMMARY_FILE (default jepsen-style/results/campaign-<time>.txt):
#   workload=W seed=S seconds=T ops=N verdict=V exit=E results=DIR
# and exits 1 if any run is not valid (exit code other than 0), 2 on bad settings.
# Environment:
#   CAMPAIGN_SCALE=N    divide every run time and the fault interval (10 s) by N (a quick
#                       rehearsal, not the campaign; the interval shrinks too, else a short
#                       two-log-down run would hold no fault window and be `unknown`)
#   CAMPAIGN_DRY_RUN=1  print the commands and write the summary with verdict=dry-run, run nothing
# The runs are sequential (each starts its own cluster on free ports); a run's check time is
# bounded by the checker's time budget (limits.ts searchMsTotalMax), so the whole campaign is
# bounded too: about 40 minutes of runs plus their checks.
set -u

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo_root" || exit 2

scale="${CAMPAIGN_SCALE:-1}"
dry_run="${CAMPAIGN_DRY_RUN:-0}"
if ! [[ "$scale" =~ ^[1-9][0-9]*$ ]]; then
  echo "campaign: CAMPAIGN_SCALE must be a positive integer, got '$scale'" >&2
  exit 2
fi
stamp="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
summary="${1:-jepsen-style/results/campaign-$stamp.txt}"
mkdir -p "$(dirname "$summary")" || exit 2
: > "$summary" || exit 2

combined="kill,pause,partition,delay,reset"
# workload  seconds  seed  nemesis  extra flags
plan=(
  "register    600 1101 $combined --combine"
  "counter     420 1102 $combined --combine"
  "set         420 1103 $combined --combine"
  "list-append 420 1104 $combined --combine"
  "register    120 1105 two-log-down"
)

if [[ "$dry_run" != "1" ]]; then
  npm run build --silent || { echo "campaign: build failed" >&2; exit 2; }
fi

interval=$(( 10 / scale ))
(( interval >= 1 )) || interval=1

failed=0
for entry in "${plan[@]}"; do
  read -r workload seconds seed nemesis extra <<< "$entry"
  seconds=$(( seconds / scale ))
  (( seconds >= 1 )) || seconds=1
  results="jepsen-style/results/campaign-$stamp/$workload-$seed"
  command=(node dist/jepsen-style/run.js --workload "$workload" --nemesis "$nemesis" ${extra:+$extra} --time "$seconds" --interval "$interval" --seed "$seed" --results "$results")
  echo "campaign: ${command[*]}"
  if [[ "$dry_run" == "1" ]]; then
    echo "workload=$workload seed=$seed seconds=$seconds ops=- verdict=dry-run exit=- results=$results" >> "$summary"
    continue
  fi
  mkdir -p "$results"
  "${command[@]}" > "$results.out" 2>&1
  code=$?
  ops="$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).operations) } catch { console.log("-") }' "$results/stats.json")"
  verdict="$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).verdict) } catch { console.log("none") }' "$results/verdict.json")"
  line="workload=$workload seed=$seed seconds=$seconds ops=$ops verdict=$verdict exit=$code results=$results"
  echo "$line" >> "$summary"
  echo "campaign: $line"
  (( code == 0 )) || failed=1
done

echo "campaign: summary in $summary"
exit "$failed"
