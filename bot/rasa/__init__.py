"""Rasa, seen from the gateway: the REST webhook client and the form data in Rasa's tracker."""
