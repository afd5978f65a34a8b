#!/usr/bin/env bash
# Restores a backup folder written by scripts/backup.sh into an empty database and an empty
# files folder, after checking its checksums. Refuses a database that has tables or a folder
# that has files, so nothing is overwritten by mistake.
#   DATABASE_URL=postgres://…/new BANGBAN_FILES_DIR=data/files scripts/restore.sh BACKUP_DIR
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the (empty) database to restore into}"
FILES_DIR="${BANGBAN_FILES_DIR:-data/files}"
BACKUP="${1:?name the backup folder to restore}"
die() { echo "ERROR: $*" >&2; exit 1; }

[ -f "$BACKUP/SHA256SUMS" ] || die "$BACKUP is not a complete backup (no SHA256SUMS)"
(cd "$BACKUP" && sha256sum --check --quiet SHA256SUMS) || die "the backup's checksums do not match"
tables=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") \
  || die "cannot reach the database (create it first: createdb …)"
[ "$tables" = 0 ] || die "the database already has $tables tables; restore into an empty one"
mkdir -p "$FILES_DIR"
[ -z "$(ls -A "$FILES_DIR")" ] || die "$FILES_DIR is not empty; restore into an empty folder"

pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$BACKUP/db.dump"
tar -C "$FILES_DIR" -xf "$BACKUP/files.tar"
echo "restored $BACKUP"
