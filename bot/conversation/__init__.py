"""One citizen turn: cleaning the text, the turn lock and rate limit, the router that decides
who answers, the gateway's own words (shortcuts, language) and the rendering of replies."""
