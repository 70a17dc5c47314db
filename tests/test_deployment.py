"""Structure of the container deployment: Dockerfile, docker-compose.yml, deploy/nginx.conf.

No Docker engine is needed: the files are parsed here. The last two tests run Django's
production settings in a subprocess.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
DOCKERFILE = ROOT / "Dockerfile"
README = ROOT / "README.md"

REQUIRED_SERVICES = {"web", "worker", "db", "redis", "elasticsearch", "minio", "createbucket", "nginx"}

# os.environ.get("X"), os.environ["X"], os.getenv("X"), env_bool("X"), env_list("X"), ...
SETTINGS_ENV_RE = re.compile(
    r"""(?:environ\.get|getenv|env_\w+)\(\s*["']([A-Z][A-Z0-9_]*)["']|environ\[\s*["']([A-Z][A-Z0-9_]*)["']"""
)
# ${VAR}, ${VAR:-default}, ${VAR:?error} and $VAR, but not the escaped $$VAR.
COMPOSE_VAR_RE = re.compile(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)")
INTERPOLATION_RE = re.compile(r"\$\{[^}]*\}")


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def environment(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def depends_on(service: dict) -> dict:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        deps = {name: {"condition": "service_started"} for name in deps}
    return deps


def url_host(value: str) -> str | None:
    # Interpolations such as ${POSTGRES_PASSWORD:?...} may hold "?" or spaces; blank them out.
    return urlparse(INTERPOLATION_RE.sub("x", value)).hostname


def image_name(service: dict) -> str:
    return service.get("image", "").rsplit("/", 1)[-1].split(":", 1)[0]


def settings_env_names() -> set[str]:
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        for match in SETTINGS_ENV_RE.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return names


def nginx_text() -> str:
    return "\n".join(line.split("#", 1)[0] for line in NGINX_CONF.read_text(encoding="utf-8").splitlines())


def nginx_locations(text: str) -> list[tuple[str, str]]:
    """(path, body) for every location block, nested braces included."""
    blocks = []
    for match in re.finditer(r"\blocation\s+(?:[=~^*]+\s+)?(\S+)\s*\{", text):
        depth, pos = 1, match.end()
        while depth and pos < len(text):
            depth += {"{": 1, "}": -1}.get(text[pos], 0)
            pos += 1
        blocks.append((match.group(1), text[match.end() : pos - 1]))
    return blocks


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with backslash continuations joined and comments dropped."""
    lines, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    if current:
        lines.append(current)
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


# --- docker-compose.yml ----------------------------------------------------------------------


def test_compose_has_no_obsolete_version_key(compose):
    assert "version" not in compose


def test_required_services_exist(services):
    missing = REQUIRED_SERVICES - set(services)
    assert not missing, f"docker-compose.yml lacks services: {sorted(missing)}"


def test_web_and_worker_share_image_and_environment(services):
    web, worker = services["web"], services["worker"]
    assert web.get("build") and web.get("build") == worker.get("build")
    assert web.get("image") == worker.get("image")
    assert environment(web) == environment(worker)
    assert "rqworker" in str(worker.get("command"))
    assert "gunicorn" in str(web.get("command")) and "migrate" in str(web.get("command"))


@pytest.mark.parametrize(
    ("variable", "service", "image"),
    [
        ("DATABASE_URL", "db", "postgres"),
        ("REDIS_URL", "redis", "redis"),
        ("ELASTICSEARCH_URL", "elasticsearch", "elasticsearch"),
    ],
)
def test_app_environment_points_at_backing_services(services, variable, service, image):
    env = environment(services["web"])
    assert variable in env, f"{variable} missing from the shared app environment"
    assert url_host(env[variable]) == service
    assert image_name(services[service]) == image


def test_secret_key_comes_from_the_environment(services):
    value = str(environment(services["web"])["SECRET_KEY"])
    assert value.startswith("${SECRET_KEY"), "SECRET_KEY must be interpolated, not written into the file"


def test_elasticsearch_major_version_is_9(services):
    tag = services["elasticsearch"]["image"].rsplit(":", 1)[1]
    assert tag.split(".")[0] == "9"


@pytest.mark.parametrize("name", ["db", "redis", "elasticsearch", "minio"])
def test_backing_services_have_healthchecks(services, name):
    healthcheck = services[name].get("healthcheck") or {}
    assert healthcheck.get("test"), f"{name} has no healthcheck"


@pytest.mark.parametrize("app", ["web", "worker"])
def test_app_waits_for_healthy_db_and_redis(services, app):
    deps = depends_on(services[app])
    for name in ("db", "redis"):
        assert deps.get(name, {}).get("condition") == "service_healthy", f"{app} must wait for {name} to be healthy"


def test_createbucket_makes_a_private_bucket(services):
    script = str(services["createbucket"].get("entrypoint", "")) + str(services["createbucket"].get("command", ""))
    assert "mc mb" in script
    assert "anonymous set none" in script
    assert "public" not in script and "download" not in script


def test_nginx_publishes_port_80_and_mounts_config(services):
    nginx = services["nginx"]
    targets = [
        str(port["target"]) if isinstance(port, dict) else str(port).rsplit(":", 1)[-1].split("/")[0]
        for port in nginx.get("ports", [])
    ]
    assert "80" in targets
    assert any(str(volume).startswith("./deploy/nginx.conf:") for volume in nginx.get("volumes", []))


def test_compose_variables_read_by_settings_are_documented(compose):
    referenced = set(COMPOSE_VAR_RE.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    referenced |= set(environment(compose["services"]["web"]))
    needed = sorted(referenced & settings_env_names())
    assert needed, "found no settings variables in docker-compose.yml; the parsing is broken"
    if not README.exists():
        pytest.fail(f"README.md is missing: it must have an environment table documenting {', '.join(needed)}")
    table_rows = [line for line in README.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("|")]
    undocumented = [name for name in needed if not any(re.search(rf"\b{name}\b", row) for row in table_rows)]
    assert not undocumented, f"README.md's environment table does not mention: {undocumented}"


# --- deploy/nginx.conf -----------------------------------------------------------------------


def test_nginx_proxies_to_web_with_forwarded_headers():
    text = nginx_text()
    assert re.search(r"server\s+web:8000\s*;", text) or "proxy_pass http://web:8000" in text
    assert "X-Forwarded-Proto" in text
    assert re.search(r"client_max_body_size\s+\d+[mMgG]\s*;", text)
    assert re.search(r"\bgzip\s+on\s*;", text)


def test_nginx_never_serves_media_directly():
    for path, body in nginx_locations(nginx_text()):
        if path.lstrip("^").startswith("/media"):
            assert "proxy_pass" in body, f"location {path} must hand media requests to Django"
            assert not re.search(r"\b(alias|root)\b", body), f"location {path} must not serve files itself"


def test_nginx_has_internal_protected_media_location(services):
    locations = dict(nginx_locations(nginx_text()))
    body = locations.get("/protected-media/")
    assert body is not None, "no location /protected-media/ for X-Accel-Redirect"
    assert re.search(r"^\s*internal\s*;", body, re.M)
    # Every location that reads the media volume must be internal.
    media_mounts = [
        str(volume).split(":")[1] for volume in services["nginx"].get("volumes", []) if str(volume).startswith("media:")
    ]
    for path, block in locations.items():
        for mount in media_mounts:
            if re.search(rf"\b(alias|root)\s+{re.escape(mount)}", block):
                assert re.search(r"^\s*internal\s*;", block, re.M), f"location {path} exposes the media volume"


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_does_not_bake_in_a_secret_key():
    for instruction, arguments in dockerfile_instructions():
        if instruction in {"ENV", "ARG"}:
            assert "SECRET_KEY" not in arguments, f"{instruction} {arguments}"


def test_dockerfile_uses_production_settings_and_gunicorn():
    instructions = dockerfile_instructions()
    env = " ".join(arguments for instruction, arguments in instructions if instruction == "ENV")
    assert re.search(r"DJANGO_SETTINGS_MODULE[= ]config\.settings\.production\b", env)
    assert instructions[0][0] == "FROM" and "python:3.11" in instructions[0][1]
    users = [arguments for instruction, arguments in instructions if instruction == "USER"]
    assert users and users[-1] not in {"root", "0"}, "the image must run as a non-root user"
    cmd = next(arguments for instruction, arguments in reversed(instructions) if instruction == "CMD")
    assert "gunicorn" in cmd and "config.wsgi:application" in cmd
    assert any(instruction == "EXPOSE" and "8000" in arguments for instruction, arguments in instructions)


# --- production settings ---------------------------------------------------------------------


def clean_env(**overrides) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in settings_env_names()}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(overrides)
    return env


def run_in_production(tmp_path, *arguments, **environment) -> subprocess.CompletedProcess:
    """Python with ``arguments`` under the production settings, a fresh secret key and no data yet."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=clean_env(
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="example.org",
            DATA_DIR=str(tmp_path),
            DJANGO_SETTINGS_MODULE="config.settings.production",
            **environment,
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_production_settings_refuse_to_start_without_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_deploy_checks(tmp_path):
    result = run_in_production(tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


# Run under the production settings: a response's security headers and the sign-in throttle in force.
PRODUCTION_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/robots.txt", secure=True, HTTP_HOST="example.org")
print(response.status_code)
print(response["Content-Security-Policy"])
print(settings.AUTHENTICATION_BACKENDS[0], settings.AXES_ENABLED, settings.AXES_FAILURE_LIMIT)
print(" ".join(settings.MEDIA_ORIGINS))
"""


def test_production_sends_the_content_security_policy_and_throttles_sign_ins(tmp_path):
    result = run_in_production(
        tmp_path,
        "-c",
        PRODUCTION_PROBE,
        SITE_URL="https://heritage.example.org",
        S3_BUCKET="heritage-media",
        S3_ENDPOINT_URL="https://s3.example.net:9000",
    )
    assert result.returncode == 0, result.stderr
    status, policy, throttle, media_origins = result.stdout.strip().splitlines()[-4:]
    assert status == "200"
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"].split()[0] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'self'"
    assert throttle == "axes.backends.AxesStandaloneBackend True 5"
    # Pictures, players and HLS reach the absolute media links and the bucket's signed URLs.
    assert media_origins == "https://heritage.example.org https://s3.example.net:9000"
    for directive in ("img-src", "media-src", "connect-src"):
        assert directives[directive].endswith(media_origins), directive
