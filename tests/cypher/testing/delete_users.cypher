// Test clean-up: users (with their memberships, approvals and comments' authorship edges).
MATCH (u:User) WHERE u.id IN $users
DETACH DELETE u
