#!/usr/bin/env bash
# Writes a consistent backup of the database and the uploaded files into a new folder under
# DEST (default backups/): db.dump (pg_dump, one snapshot), files.tar, and SHA256SUMS of both.
# The database goes first: files are written before the rows that name them and are never
# changed afterwards, so every file the dump names is already on disk when the folder is copied.
#   DATABASE_URL=postgres://… BANGBAN_FILES_DIR=data/files scripts/backup.sh [DEST]
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
FILES_DIR="${BANGBAN_FILES_DIR:-data/files}"
DEST="${1:-backups}"
command -v pg_dump >/dev/null || { echo "ERROR: pg_dump is missing (apt install postgresql-client)" >&2; exit 1; }

out="$DEST/bangban-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out.partial"
pg_dump --format=custom --no-owner --file="$out.partial/db.dump" "$DATABASE_URL"
mkdir -p "$FILES_DIR"
tar -C "$FILES_DIR" -cf "$out.partial/files.tar" .
(cd "$out.partial" && sha256sum db.dump files.tar > SHA256SUMS)
# Complete or absent: a backup cut short never looks like one.
mv "$out.partial" "$out"
echo "$out"
