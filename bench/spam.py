"""Spam filter across videos: train on three videos of the YouTube spam collection
(and, always, the written blog comments), test on the fourth, for each of the four;
then the written blog comments themselves, k-fold (each fold scored by a model trained
on all four videos and the other folds).

    .venv/bin/python -m bench.spam [--data DIR] [--json OUT]

Targets on every held-out video: genuine comments sent to spam ≤ 1 %, spam published
≤ 5 %, moderation ≤ 20 %; accuracy (probability > 0.5 = spam) ≥ 94 % on average.
The thresholds are chosen on the training videos only.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from bench._common import md_table, verdict
from individuate.articles.spam import training


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.spam", description=__doc__)
    ap.add_argument("--data", default=None, help="the youtube-spam directory (default: SPAM_TRAINING_DIR)")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    groups = training.load_training(args.data)
    results = training.cross_video(groups)
    written = training.cross_fold_written(groups)
    mean_acc = float(np.mean([r.accuracy for r in results]))
    ok = all(r.passes() for r in results) and mean_acc >= 0.94
    rows = [
        [
            r.group,
            f"{r.comments} ({r.spam} spam)",
            f"{r.accuracy:.1%}",
            f"{r.genuine_to_spam:.1%}",
            f"{r.spam_published:.1%}",
            f"{r.moderated:.1%}",
            f"{r.ham_below:.2f} / {r.spam_from:.2f}",
            verdict(r.passes()),
        ]
        for r in results
    ]
    table = md_table(
        [
            "held-out video",
            "comments",
            "accuracy",
            "genuine → spam (≤ 1 %)",
            "spam published (≤ 5 %)",
            "moderation (≤ 20 %)",
            "thresholds ham / spam",
            "result",
        ],
        rows,
        align="lrrrrrrl",
    )
    w = written.result
    n_ham = w.comments - w.spam
    in_domain = md_table(
        ["written set", "comments", "accuracy", "genuine → spam", "spam published", "moderation", "genuine held"],
        [
            [
                f"{w.group} ({training.BLOG_FOLDS}-fold)",
                f"{w.comments} ({w.spam} spam)",
                f"{w.accuracy:.1%}",
                f"{w.genuine_to_spam:.1%} ({written.genuine_to_spam} of {n_ham})",
                f"{w.spam_published:.1%} ({written.spam_published} of {w.spam})",
                f"{w.moderated:.1%}",
                f"{written.genuine_moderated} of {n_ham}",
            ]
        ],
        align="lrrrrrr",
    )
    wrong = "\n".join(f"  - {v} ({p:.2f}): {t}" for t, p, v in written.wrong_genuine if v == "spam")
    seconds = time.perf_counter() - t0
    md = (
        f"{table}\n\nMean accuracy over the four held-out videos: {mean_acc:.2%} (target ≥ 94 %)."
        f" Model: words, word pairs and character 3–6-grams (TF-IDF, the video's own title masked),"
        f" logistic regression C={training.C:g}, pasted copies counted once; repeated text as a learned"
        f" weight and a rule (held for a human), ≥ 2 links held; the written blog comments always in"
        f" training, weighing {training.KFOLD_SHARE:.0%} of it. Seed {training.SEED}; {seconds:.0f} s.\n\n"
        f"**Spam filter targets: {verdict(ok)}**\n\n"
        f"In the product's own domain (written for this project by the same hand that wrote the model;"
        f" no target):\n\n{in_domain}\n\nGenuine written comments given the spam verdict:\n{wrong or '  - none'}"
    )
    print(md)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"pass": ok, "markdown": md}, fh)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
