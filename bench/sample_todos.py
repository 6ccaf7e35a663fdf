"""The fixed to-do list that the model benchmarks ask their questions about.

bench/studies/bench_sampling.py (native llama.cpp, in the bench venv without Playwright),
bench/bench_wllama.py and bench/bench_first_word.py (Chromium) all send it, so it lives here rather
than in any one script: no script imports another's globals. Dependency-free apart from
app.todos.model (pure Python), so it imports in either venv.
"""

from app.todos.model import Todo

TODOS = [
    Todo("t1", "Buy milk and eggs", False, 1),
    Todo("t2", "Call the dentist", False, 2),
    Todo("t3", "File the tax return", True, 3),
    Todo("t4", "Water the plants", False, 4),
    Todo("t5", "Book train tickets to Lyon", True, 5),
    Todo("t6", "Finish the quarterly report", False, 6),
]
# What a reply about this list can name, kept beside it so the two change together: a word of a
# listed to-do, or one of the list's counts (6 in all, 4 open, 2 done) in digits or words.
TOPIC_WORDS = ["milk", "eggs", "dentist", "tax", "plants", "water", "train", "lyon", "report",
               "quarterly"]
COUNT_WORDS = ["6", "six", "4", "four", "2", "two"]
