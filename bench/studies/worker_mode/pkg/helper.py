def label(i):
    return f"To-do number {i}"
