"""calendar_feeds"""
