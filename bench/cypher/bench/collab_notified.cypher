// How many notifications each of the subjects $subjects has.
UNWIND $subjects AS subject
RETURN subject, COUNT { (:Notification {subject: subject}) } AS notified
