#!/usr/bin/env bash
# Install the Pulumi CLI pinned in .github/pulumi-cli.txt into $RUNNER_TEMP and put it on the job's
# PATH ($GITHUB_PATH), after checking the archive's sha256 against the pin. `--pin` writes the pin
# from the checksums file of Pulumi's release instead (run it where you trust the network).
set -euo pipefail
pin_file="$(cd "$(dirname "$0")/.." && pwd)/pulumi-cli.txt"
version=$(sed -n 's/^version=\([0-9][0-9.]*\)$/\1/p' "$pin_file")
sha256=$(sed -n 's/^sha256=\([0-9a-f]\{64\}\)$/\1/p' "$pin_file")
archive="pulumi-v${version}-linux-x64.tar.gz"
fetch() { curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 "$@"; }

if [ -z "$version" ]; then
    echo "::error::${pin_file} names no version=<x.y.z>" >&2
    exit 2
fi
if [ "${1:-}" = "--pin" ]; then
    sums=$(fetch "https://github.com/pulumi/pulumi/releases/download/v${version}/pulumi-${version}-checksums.txt")
    found=$(printf '%s\n' "$sums" | awk -v f="$archive" '$2 == f { print $1 }')
    if ! printf '%s' "$found" | grep -Eq '^[0-9a-f]{64}$'; then
        echo "no sha256 for ${archive} in Pulumi's checksums of v${version}" >&2
        exit 1
    fi
    sed -i "s/^sha256=.*/sha256=${found}/" "$pin_file"
    echo "pinned ${archive}: ${found}"
    exit 0
fi
if [ -z "$sha256" ]; then
    echo "::error::no sha256 pinned for the Pulumi CLI ${version} in ${pin_file}: run" \
        ".github/scripts/install-pulumi.sh --pin once with internet access and commit it" >&2
    exit 2
fi
destination="${RUNNER_TEMP:?}/pulumi-${version}"
mkdir -p "$destination"
fetch --output "${destination}/${archive}" "https://get.pulumi.com/releases/sdk/${archive}"
if ! echo "${sha256}  ${destination}/${archive}" | sha256sum --check --strict --status; then
    echo "::error::${archive} does not have the pinned sha256 ${sha256}: not installed" >&2
    rm -f "${destination}/${archive}"
    exit 1
fi
tar -xzf "${destination}/${archive}" -C "$destination"
echo "${destination}/pulumi" >> "${GITHUB_PATH:?}"
"${destination}/pulumi/pulumi" version
