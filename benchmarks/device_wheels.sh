# Sourced by device scripts: OUT made, the carried wheels (.whl, from
# `../shared/device/wheels.sh notebook`; .whl_helion too where carried) installed into
# /tmp/site, the paths exported, the GPU named. Sets $out.
out=${OUT:-/tmp/out}; mkdir -p "$out"
wheels=(.whl/*.whl); [[ -d .whl_helion ]] && wheels+=(.whl_helion/*.whl)
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site "${wheels[@]}" || exit 1
export PYTHONPATH=/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
