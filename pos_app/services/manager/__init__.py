"""What guards manager actions: the PIN, its vault, the gate, the pinned shop policy, the card switch."""
