"""The worker's entry point (`python worker.py`, the image's command); what it runs is app/worker.py."""

from app.worker import main

if __name__ == "__main__":
    main()
