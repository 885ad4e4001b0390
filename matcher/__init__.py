"""matcher"""
