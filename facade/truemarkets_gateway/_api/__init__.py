"""Operations, request building and validation, money, and every read of a generated model.

No I/O and no decisions about what happens next: the layers above send and decide.
"""
