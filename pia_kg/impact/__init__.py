"""What an amendment of the law breaks: ``amendment`` (real amendments and what-ifs),
``report`` (the rows: each broken citation and what it should say now), ``render`` (CSV,
JSON and the HTML page)."""
