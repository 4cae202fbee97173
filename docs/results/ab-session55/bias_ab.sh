#!/bin/bash
# Session 55: bias_ab.py's two variants in alternating processes, N rounds (W=mle|adv).
cd "$(dirname "$0")/../../.."
for i in $(seq 1 ${N:-4}); do
  if [ $((i % 2)) -eq 1 ]; then order="baddbmm bmm"; else order="bmm baddbmm"; fi
  for v in $order; do V=$v python docs/results/ab-session55/bias_ab.py 2>&1 | grep " ms "; done
done
