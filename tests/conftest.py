"""Shared pytest configuration: fixture modules live in tests/fixtures/ and are listed here."""

pytest_plugins: list[str] = [
    "tests.fixtures.pbx",
    "tests.fixtures.processes",
    "tests.fixtures.speech",
    "tests.fixtures.postgres",
    "tests.fixtures.mcp_env",
    "tests.fixtures.mcp_db",
    "tests.fixtures.llm",
    "tests.fixtures.assistant",
    "tests.fixtures.agent_fakes",
    "tests.fixtures.google_env",
    "tests.browser.fixtures",
]
