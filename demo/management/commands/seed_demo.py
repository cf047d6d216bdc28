from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench.bulk.seed import DEFAULT_BATCH_SIZE, bulk_seed
from demo.seed import demo_seed
from demo.start import SERVICES_LIMIT, DemoDataPresent
from demo.world import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Fill the database with demo data: three estates (HY 海悦花园, JD 锦都名苑, CH 翠湖湾) "
        "with buildings, units, residents and calendars, staff users (admin, manager, "
        f"supervisor, frontdesk, frontdesk_b, handler and department leads; password "
        f"'{DEMO_PASSWORD}') and N complaints over the last 12 weeks in every stage. The same "
        "--seed gives the same data on an empty database; a new world also has this "
        "morning's water cut (公共事件) with three of the N calls linked to it. Demo data "
        "already present is an "
        "error, unless --if-empty (do nothing) or --add (add N more complaints to it). Up to "
        f"{SERVICES_LIMIT:,} complaints every one is logged and moved on by the desk's own "
        "services with the clock set to the story's time; above that, or with --bulk, the "
        "same stories' rows are inserted in bulk (bench.bulk: 1,000,000 in minutes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--complaints", type=int, default=200, metavar="N", help="How many (default 200)."
        )
        parser.add_argument(
            "--seed", type=int, default=1, metavar="S", help="Random seed (default 1)."
        )
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when demo data is already present.",
        )
        existing.add_argument(
            "--add",
            action="store_true",
            help="Add N complaints to the demo data already present; references continue.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            metavar="B",
            help=f"Bulk loader: complaints per insert transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help=f"Insert rows in bulk even for {SERVICES_LIMIT:,} complaints or fewer.",
        )

    def handle(self, *args, **options) -> None:
        count = options["complaints"]
        if count < 0 or options["batch_size"] < 1:
            raise CommandError("--complaints must be 0 or more and --batch-size 1 or more.")
        self._tty = self.stdout.isatty()
        self._reported = -1
        progress = self._progress if options["verbosity"] > 0 else None
        common = {"complaints": count, "seed": options["seed"], "add": options["add"]}
        try:
            if options["bulk"] or count > SERVICES_LIMIT:
                summary = bulk_seed(**common, batch_size=options["batch_size"], progress=progress)
            else:
                summary = demo_seed(**common, progress=progress, incident=True)
        except DemoDataPresent as present:
            if options["if_empty"] and not present.partial:
                self.stdout.write(f"Demo data already present ({present}); nothing to do.")
                return
            if present.partial:
                raise CommandError(
                    f"Only part of the demo data is present ({present}). Start from an empty "
                    "database (manage.py flush) to seed it."
                ) from present
            raise CommandError(
                f"Demo data is already present ({present}). Use --add to add complaints to "
                "it, --if-empty to skip, or start from an empty database (manage.py flush)."
            ) from present
        if self._tty and progress:
            self.stdout.write("")
        if summary.world_created:
            self.stdout.write(
                f"Demo estates, residents and users created; every user's password is "
                f"'{DEMO_PASSWORD}'."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.complaints:,} complaints with {summary.events:,} events, "
                f"{summary.deadlines:,} deadlines, {summary.escalations:,} escalations and "
                f"{summary.callbacks:,} callbacks in {summary.seconds:.1f}s."
            )
        )

    def _progress(self, done: int, total: int, seconds: float) -> None:
        percent = 100 * done // total if total else 100
        line = f"complaints {done:,}/{total:,} ({percent}%) {seconds:.1f}s"
        if self._tty:
            # One line rewritten in place on a terminal.
            self.stdout.write(f"\r{line}", ending="")
            self.stdout.flush()
            return
        # In a log, one line per tenth of the way is enough.
        if percent // 10 > self._reported or done == total:
            self._reported = percent // 10
            self.stdout.write(line)
