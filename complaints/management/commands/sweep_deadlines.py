from django.core.management.base import BaseCommand

from complaints.services.sweep import sweep_run


class Command(BaseCommand):
    help = (
        "Run one deadline sweep now: end holds whose time has come, remind, escalate missed "
        "deadlines, remind open escalations."
    )

    def handle(self, *args, **options):
        result = sweep_run()
        for reference, kind, level in result.escalated:
            self.stdout.write(f"escalated {reference} ({kind} missed) to level {level}")
        for reference, kind in result.reminded:
            self.stdout.write(f"reminded {reference} ({kind} due soon)")
        for reference, level in result.escalation_reminders:
            self.stdout.write(f"reminded level {level} of {reference} (escalation unanswered)")
        for reference in result.released:
            self.stdout.write(f"released {reference} (hold ended)")
        self.stdout.write(self.style.SUCCESS(f"Sweep done: {result}."))
