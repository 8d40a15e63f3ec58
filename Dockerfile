# The newswatch image: one CLI, the subcommand is the role (`worker`, `topics`, `replay ...`).

# --- builder: resolve and build everything into a venv that the final stage copies whole.
FROM python:3.11.7-slim-bookworm AS builder

# A compiler only here: setup.py compiles the engine's modules with mypyc, and on
# platforms without wheels (e.g. arm64) faust-streaming and hyperscan build C
# extensions; the final image never sees the toolchain.
RUN apt-get update \
    && apt-get install --no-install-recommends -y build-essential \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY pyproject.toml setup.py README.md constraints.txt ./
COPY services/ services/
# The constraints pin every transitive dependency, so an image built today and one
# built next month run the same code the tests ran against.
RUN pip install -c constraints.txt .

# --- runtime: the venv, the seed articles, nothing else.
FROM python:3.11.7-slim-bookworm

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NEWSWATCH_STATE_DIR=/var/lib/newswatch

# WORKDIR stays root-owned; the only writable place is the state dir.
RUN useradd --system --uid 10001 --home-dir /var/lib/newswatch --create-home newswatch

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY seeds/ /app/seeds/

USER newswatch
EXPOSE 6066
ENTRYPOINT ["newswatch"]
CMD ["worker"]
