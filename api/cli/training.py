"""``shoujie training``: the training office (模拟情境演练) — start a run, play its turns, score it,
list the runs, and serve the training office's pages (every page marked 「演练」)."""

import argparse
import os

from api.cli.context import Subcommands, print_json
from cases.db import engine_for
from cases.runtime import Runtime
from cases.settings import Clock, settings
from cases.training import office, runner
from cases.training.scenarios import all_scenarios


class TrainingApp:
    """The training office's settings, engine (migrated, organisation in place), runtime and clock."""

    def __init__(self) -> None:
        real = settings()
        self.settings = office.training_settings(real)
        self.engine = engine_for(self.settings.database_url)
        self.rt = Runtime.from_settings(self.settings)
        self.real = Clock(real.fixed_now)
        office.prepare(self.engine, self.settings.database_url, now=self.real.now())


def cmd_new(args: argparse.Namespace) -> int:
    """Start a run: its opening, what the petitioner says and brings, where to work it."""
    app = TrainingApp()
    run_id = runner.new_run(
        app.engine,
        app.rt,
        scenario_name=args.scenario,
        trainee=args.trainee,
        real_now=app.real.now(),
    )
    view = runner.run_view(app.engine, app.rt, run_id=run_id)
    if args.json:
        print_json(
            {
                "run": run_id,
                "scenario": view["scenario"].name,
                "trainee": view["trainee"],
                "opening": view["scenario"].opening,
                "facts": view["facts"],
                "cases": view["case_nos"],
            }
        )
    else:
        print(
            f"演练 {run_id}：「{view['scenario'].title}」，受训人 {view['trainee_name']}（{view['trainee']}）"
        )
        print(view["scenario"].opening)
        print(f"演练办公室：shoujie training serve，然后打开 /training/runs/{run_id}")
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    """Play the run's next turn (the clock jumps, the sweeper acts)."""
    app = TrainingApp()
    turn = runner.play_turn(app.engine, app.rt, run_id=args.run, real_now=app.real.now())
    if args.json:
        print_json(turn)
    else:
        print(f"（{turn['after_days']}日后）{turn['say']}")
    return 0


def cmd_finish(args: argparse.Namespace) -> int:
    """Score the run from its audit trail and print the debrief."""
    app = TrainingApp()
    result = runner.finish(app.engine, app.rt, run_id=args.run, real_now=app.real.now())
    if args.json:
        print_json(result)
    else:
        for f in result["findings"]:
            mark = "✓" if f["met"] else "✗"
            print(
                f"{mark} {f['label']}（{f['article']}）{f['points'] if f['met'] else 0}/{f['points']}"
            )
        print(result["debrief"])
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """The runs, the latest first, with their scores."""
    app = TrainingApp()
    runs = runner.list_runs(app.engine)
    if args.json:
        print_json(runs)
    else:
        for r in runs:
            score = (
                f"{r['points']}/{r['max_points']} {r['grade']}" if r["points"] is not None else "—"
            )
            print(
                f"{r['id']}\t{r['title']}\t{r['trainee_name']}（{r['trainee']}）\t{r['status_label']}\t{score}"
            )
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """The shipped scenarios."""
    for sc in all_scenarios().values():
        print(f"{sc.name}\t{sc.title}\t{sc.summary}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the training office: the same pages over the training database, marked 「演练」, its
    notifications kept in the process (the trainer's view), its clock the scenarios'."""
    import uvicorn

    TrainingApp()  # migrated, organisation in place, before the first request
    os.environ["SHOUJIE_TRAINING"] = "1"
    uvicorn.run("api.app:create_app", factory=True, host=args.host, port=args.port)
    return 0


def register(sub: Subcommands) -> None:
    """Register ``training`` and its commands."""
    t = sub.add_parser("training", help="模拟情境演练").add_subparsers(
        dest="training", required=True
    )
    s = t.add_parser("new", help="开始一次演练")
    s.add_argument("--scenario", required=True)
    s.add_argument("--trainee", required=True)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_new)
    for name, func, text in (
        ("next", cmd_next, "展开下一段情节"),
        ("finish", cmd_finish, "结束演练并评分"),
    ):
        s = t.add_parser(name, help=text)
        s.add_argument("run", type=int)
        s.add_argument("--json", action="store_true")
        s.set_defaults(func=func)
    s = t.add_parser("list", help="演练记录与得分")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)
    t.add_parser("scenarios", help="可用的演练情境").set_defaults(func=cmd_scenarios)
    s = t.add_parser("serve", help="启动演练办公室")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8001)
    s.set_defaults(func=cmd_serve)
