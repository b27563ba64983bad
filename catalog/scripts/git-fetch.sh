#!/bin/sh
# git-fetch.sh URL REF DEST
#
# Checks out REF of the repository at URL into DEST and appends "name url ref commit" to
# /etc/adf/sources.txt, so an image records exactly which commit of each source it holds.
#   REF a tag or branch (v0.9.1, core_v0.12.1, 2.3.0): shallow clone of that ref.
#   REF a commit (7 to 40 hex digits):   blobless clone, then checkout. Full history and tags
#       stay available, so setuptools-scm derives the same version string upstream CI gets.
# Proxy and CA come from net-env.sh when the caller sourced it. POSIX sh.
set -eu

if [ "$#" -ne 3 ]; then
    echo "usage: git-fetch.sh URL REF DEST" >&2
    exit 2
fi
url=$1
ref=$2
dest=$3

is_commit=0
case $ref in
    *[!0-9a-f]* | '') ;;
    *) if [ "${#ref}" -ge 7 ] && [ "${#ref}" -le 40 ]; then is_commit=1; fi ;;
esac

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
if [ "$is_commit" = 1 ]; then
    git clone --quiet --filter=blob:none --no-checkout "$url" "$dest"
    git -C "$dest" -c advice.detachedHead=false checkout --quiet "$ref"
else
    git -c advice.detachedHead=false clone --quiet --depth 1 --branch "$ref" "$url" "$dest"
fi

sha=$(git -C "$dest" rev-parse HEAD)
case $sha in
    "$ref"*) ;;
    *) if [ "$is_commit" = 1 ]; then echo "git-fetch: $url: $ref resolved to $sha" >&2; exit 1; fi ;;
esac
mkdir -p /etc/adf
printf '%s %s %s %s\n' "$(basename "$dest")" "$url" "$ref" "$sha" >> /etc/adf/sources.txt
echo "git-fetch: $(basename "$dest") $ref -> $sha"
