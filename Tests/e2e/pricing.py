"""An independent price check for the models the tests use (anthropic-wire.md §7.2), in pico-dollars."""

# per token: input, cache write 5m, cache write 1h, cache read, output
PICO_PER_TOKEN = {
    "claude-sonnet-4-6": (3_000_000, 3_750_000, 6_000_000, 300_000, 15_000_000),
    "claude-haiku-4-5": (1_000_000, 1_250_000, 2_000_000, 100_000, 5_000_000),
    "claude-opus-4-5": (5_000_000, 6_250_000, 10_000_000, 500_000, 25_000_000),
}


def mock_usage_cost(model: str, usage: dict) -> int:
    rates = PICO_PER_TOKEN[model]
    split = usage.get("cache_creation") or {}
    return (usage["input_tokens"] * rates[0]
            + split.get("ephemeral_5m_input_tokens", 0) * rates[1]
            + split.get("ephemeral_1h_input_tokens", 0) * rates[2]
            + (usage.get("cache_read_input_tokens") or 0) * rates[3]
            + usage["output_tokens"] * rates[4])
