def hello() -> str:
    return "Hello from fangkong!"
