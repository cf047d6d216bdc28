"""Gunicorn for the complaint desk: ``gunicorn --config deploy/gunicorn.conf.py config.wsgi``.

The one configuration used by the systemd unit, compose.yaml and ``make drill``. Everything a
site changes comes from the environment (the same file as the app's: /etc/complaint-desk/env);
an empty value counts as unset.
"""

import multiprocessing
import os

# Behind nginx on the same machine: loopback. On an app server behind a separate proxy or
# load balancer: its private address, e.g. 10.0.0.11:8000 (never a public interface).
bind = [
    address.strip() for address in (os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000").split(",")
]

# Sync workers: each request holds one process. A desk's traffic is people typing; the
# usual 2 x CPU + 1 leaves room for a slow export without queueing the intake form.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"

# Evidence uploads (10 MB) arrive through nginx, which buffers them; 30 s covers the XLSX
# exports. A worker stuck longer is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak never becomes an outage; the jitter keeps them
# from restarting all at once. A new worker costs about half a second of CPU to load the app:
# after every thousand requests that was 3-4 % of two cores at 150 intakes a second, while a
# worker's memory stays flat (91 MB after 7,000 intakes), so ten thousand.
max_requests = 10000
max_requests_jitter = 1000

# Trust X-Forwarded-* only from the proxy in front (nginx on loopback by default).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"

# In a container /tmp may sit on a slow overlay; the heartbeat files belong in memory there.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None

# Logs go to stderr, where journald or the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# The peer is nginx; X-Real-IP, set by nginx, is the client.
access_log_format = '%(h)s %({x-real-ip}i)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
proc_name = "complaint-desk-web"
# Gunicorn 25+ opens a control socket under $HOME by default; several instances on one
# machine (and ProtectHome= in the unit) would trip over it, and nothing here uses it.
control_socket_disable = True

if os.environ.get("DJANGO_LOG_FORMAT", "").strip().lower() == "json":
    # The same JSON lines as Django's own logs (config/logging.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        },
    }
