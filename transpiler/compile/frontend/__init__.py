"""The front end: the user's source parsed, its kernels found, checked and bound before lowering."""
