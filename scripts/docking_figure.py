"""Draw docs/img/docking.png: the model's public-goods game against the published experiments.

Run with `.venv/bin/python scripts/docking_figure.py` (about ten seconds); it also prints the
numbers shown, period by period.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sim.study import docking

OUT = Path(__file__).resolve().parent.parent / "docs" / "img" / "docking.png"
SEEDS = range(300)
# Okabe-Ito colours, safe for colour-blind readers; conditions also differ by line style.
COLOURS = {"model": "#0072B2", "htg2008": "#D55E00", "fg2010": "#009E73"}
LABELS = {
    "model": "samenspel (300 seeds, 95% band)",
    "htg2008": "Herrmann, Thöni & Gächter 2008 (partner)",
    "fg2010": "Fischbacher & Gächter 2010 (stranger)",
}
TITLES = {"without_punishment": "without punishment", "with_punishment": "with punishment"}


def main() -> None:
    periods = list(range(1, docking.PERIODS + 1))
    lab = docking.experiments()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, condition in zip(axes, docking.CONDITIONS, strict=True):
        tr = docking.trajectory(condition, SEEDS)
        ax.fill_between(periods, tr.low, tr.high, color=COLOURS["model"], alpha=0.25, lw=0)
        ax.plot(periods, tr.mean, "-o", color=COLOURS["model"], label=LABELS["model"])
        print(condition, "model", " ".join(f"{v:.2f}" for v in tr.mean))
        for key, e in lab.items():
            if condition in e.paths:
                mad = docking.mean_absolute_deviation(tr.mean, e.paths[condition])
                ax.plot(
                    periods,
                    e.paths[condition],
                    "--s",
                    color=COLOURS[key],
                    label=f"{LABELS[key]}; deviation {mad:.2f}",
                )
                shown = " ".join(f"{v:.2f}" for v in e.paths[condition])
                print(condition, key, shown, f"deviation {mad:.3f}")
        ax.set_title(TITLES[condition])
        ax.set_xlabel("period")
        ax.set_xticks(periods)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("mean contribution (share of endowment)")
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=120)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
