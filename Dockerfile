# The complaint desk's image, built from this repository alone: the web (gunicorn), the Celery
# workers and beat all run from it (compose.yaml). docs/deploy.md, "Containers".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext compiles the translations: the .mo files are built, not committed.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 desk \
    && useradd --system --uid 10001 --gid desk --home-dir /srv/complaint-desk \
        --shell /usr/sbin/nologin desk

WORKDIR /srv/complaint-desk

# The dependencies from pyproject.toml alone first, so a change of code reuses this layer.
COPY pyproject.toml README.md LICENSE ./
RUN pip install .

COPY . .
# REDIS_URL keeps the settings from creating the embedded broker's folders in the image.
RUN REDIS_URL=redis://build-only:6379/0 python manage.py compilemessages -v 0 \
    && install -d -o desk -g desk staticfiles /var/lib/complaint-desk /var/lib/complaint-desk-media

USER desk
# Static files belong to the image: the hashed names match this code. The secret is a
# placeholder for this one command; the real one comes from the environment at run time.
RUN DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_SECRET_KEY=collectstatic-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
    DJANGO_ALLOWED_HOSTS=localhost \
    REDIS_URL=redis://build-only:6379/0 \
    python manage.py collectstatic --noinput -v 0

ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    DESK_VAR_DIR=/var/lib/complaint-desk \
    DJANGO_MEDIA_ROOT=/var/lib/complaint-desk-media \
    GUNICORN_BIND=0.0.0.0:8000 \
    GUNICORN_WORKER_TMP_DIR=/dev/shm

EXPOSE 8000
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "config.wsgi"]
