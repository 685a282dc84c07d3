"""What to do next with a customer: the action catalogue and the one decision module that
both the streaming worker (moments and profiles) and ``micromoments serve`` use."""
