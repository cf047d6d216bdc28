"""The multi-process drill: the production layout on loopback, under load, with a worker killed.

``make drill`` (or ``python -m scripts.drill``) runs, against a PostgreSQL database and a Redis
database number of its own:

1. drop and create the database (``desk_drill``; or, with ``--existing-database``, use a test
   database that is already there), empty the Redis database; ``migrate``, ``collectstatic``,
   ``check --deploy`` with the production settings; an estate, a front-desk user and a
   supervisor;
2. two gunicorn web processes on two loopback ports, two Celery workers and one beat, started
   with the command lines and environment of the sample units in deploy/systemd/ and the
   gunicorn configuration deploy/gunicorn.conf.py (the ones docs/deploy.md installs);
3. 200 complaints logged concurrently through the API, spread over both web processes, half
   of them urgent and back-dated so that their acknowledge deadline has already passed;
4. one worker SIGKILLed while it is inside a sweep transaction that escalates (found in
   pg_stat_activity, frozen with SIGSTOP and checked again), once some escalations exist;
   the other worker must finish the work;
5. checks: 200 distinct complaints, every overdue acknowledge deadline escalated exactly once
   and no other, every notification row sent, no 5xx from either web process.

Everything listens on and talks to 127.0.0.1 only; every process is stopped at the end, also
on failure or Ctrl-C. The whole drill stays under three minutes.

The parts: ``units`` reads the sample units, ``processes`` starts and stops what they run,
``stores`` prepares the database and Redis, ``intake`` logs the complaints, ``killer`` kills
the worker, ``checks`` gathers and judges the facts, ``run`` puts the steps in order and
``cli`` is the command line.
"""
