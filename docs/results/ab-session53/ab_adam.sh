# Session 53: the compiled Adam's step sizes apart (f30d0ef) vs inside the graph (bb31d64's tree):
# SAC's whole step against its step-by-step path, and the MLE step against its piece-by-piece
# path, in alternating processes; the step-by-step paths are the same code in both trees.
for r in 1 2; do
  for side in before after; do
    repo=/tmp/s53/$side; [ $side = after ] && repo=/work/main
    (cd $repo && REPO=$repo PYTHONPATH=$repo T=2 R=5 python /work/main/docs/results/ab-session53/sac_whole_ab.py 2>&1 | grep ms/step | sed "s/^/$side $r /")
    (cd $repo && PYTHONPATH=$repo P=fp32 R=4 python /work/main/docs/results/ab-session53/mle_ab.py 2>&1 | grep -E "median|whole/pieces" | sed "s/^/$side $r /")
  done
done
echo ALLDONE
