#!/bin/sh
# The browser tests drive Debian's Chromium. Install it when missing and we may (root).
set -e
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installation de Chromium (paquet Debian) pour les tests dans le navigateur…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "Chromium est absent : installez le paquet « chromium » (sudo apt-get install chromium)," >&2
  echo "sans quoi les tests dans le navigateur échoueront." >&2
fi
