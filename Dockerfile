# The image compose.yaml builds: the app, its worker and its management commands.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# Pango for the PDF parenting plans (WeasyPrint), fonts for PDFs and charts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md manage.py ./
COPY individuate ./individuate
COPY dynamics ./dynamics
RUN pip install --no-cache-dir '.[rq]'
RUN useradd --system --home /app individuate && mkdir -p /app/var && chown individuate /app/var
USER individuate
EXPOSE 8000
CMD ["gunicorn", "individuate.config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
