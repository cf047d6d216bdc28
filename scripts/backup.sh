#!/usr/bin/env bash
# A database backup: pg_dump in its custom format (compressed; pg_restore can pick tables and
# run in parallel) to DESK_BACKUP_DIR/desk-<database>-<UTC timestamp>.dump, then remove the
# backups older than DESK_BACKUP_KEEP_DAYS. Restoring: docs/deploy.md, "Backups".
#
#   DATABASE_URL=postgres://desk:secret@db:5432/desk scripts/backup.sh
#
# pg_dump must be at least the server's major version. The dump is written under a temporary
# name and renamed when complete, so a file with the final name is always a whole backup.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database to back up}"
backup_dir="${DESK_BACKUP_DIR:-/var/backups/complaint-desk}"
keep_days="${DESK_BACKUP_KEEP_DAYS:-14}"

case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *)
        echo "backup.sh: DATABASE_URL is not PostgreSQL; nothing to do with pg_dump" >&2
        exit 2
        ;;
esac
if ! [[ "$keep_days" =~ ^[0-9]+$ ]] || ((keep_days < 1)); then
    echo "backup.sh: DESK_BACKUP_KEEP_DAYS must be a whole number of days, at least 1" >&2
    exit 2
fi

# The database name for the file name: the URL's path without its query string.
database="${DATABASE_URL##*/}"
database="${database%%\?*}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$backup_dir/desk-$database-$stamp.dump"

umask 077
mkdir -p "$backup_dir"
partial="$(mktemp "$backup_dir/.desk-$database-$stamp.XXXXXX")"
trap 'rm -f "$partial"' EXIT

started=$SECONDS
# The URL carries the password onto pg_dump's command line; the systemd unit's
# ProtectProc=invisible keeps it from other users' eyes, a ~/.pgpass file keeps it off.
pg_dump --format=custom --no-owner --no-privileges --file="$partial" --dbname="$DATABASE_URL"
pg_restore --list "$partial" >/dev/null # a dump that cannot be listed is not a backup
mv "$partial" "$target"
trap - EXIT

removed=0
while IFS= read -r -d '' old; do
    rm -f -- "$old"
    removed=$((removed + 1))
done < <(find "$backup_dir" -maxdepth 1 -type f -name "desk-$database-*.dump" \
    -mtime "+$((keep_days - 1))" -print0)

size="$(du -h "$target" | cut -f1)"
echo "backup.sh: wrote $target ($size) in $((SECONDS - started))s;" \
    "removed $removed older than $keep_days days"
