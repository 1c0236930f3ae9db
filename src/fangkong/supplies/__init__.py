"""Key goods in markets and supermarkets: daily stock and price reports per outlet, alerts when
stock falls below the days of need of the people served or a price jumps."""
