# Shoujie 首接 — make help lists the targets.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Test processes (pytest-xdist): one per core; each gets its own PostgreSQL database.
TEST_WORKERS ?= auto

.PHONY: help run test bench lint format clean

help: ## 列出命令 / list the targets
	@grep -E '^[a-z]+:.*## ' Makefile | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP) ## 演示办公室：迁移、载入演示数据、启动 http://127.0.0.1:8000
	$(VENV)/bin/shoujie db upgrade
	$(VENV)/bin/shoujie demo --if-empty
	$(VENV)/bin/shoujie serve

test: $(STAMP) ## 全部测试（设置 SHOUJIE_TEST_DATABASE_URL 时也在 PostgreSQL 上运行）
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP) ## 性能基准（打印比值）
	$(PY) -m bench.lifecycle
	$(PY) -m bench.sweep
	$(PY) -m bench.stats
	$(PY) -m bench.repeat
	$(PY) -m bench.pages

lint: $(STAMP) ## ruff 检查与格式
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## 自动格式化
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## 删除虚拟环境与本地数据库
	rm -rf $(VENV) shoujie.db shoujie.db-wal shoujie.db-shm
