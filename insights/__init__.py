"""Insights for the people who run the service: what the bot's outcomes add up to (per day,
containment, form funnel, unanswered questions), demand and staffing (heat map, forecast,
Erlang C / A), stale guides. Plain computations over SQL; the console draws them."""
