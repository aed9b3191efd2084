"""The application layer: the door session and its use cases, grown in issue 13.

For now it holds the views (views.py): what the window and the command line
show, kept apart from the store that fills them.
"""
