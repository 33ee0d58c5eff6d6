# A locustfile the way the seed's students write one: a plain HttpUser that pops rows of traffic.json
# and posts each to the host, which names the route itself (--host http://127.0.0.1:8080/votes).
# Kept deliberately naive: SeedLocustfileIT proves Quetzal serves this client as it is.
#
#   /usr/bin/locust -f load/locust/seed-style/locustfile.py --headless -u 10 -r 10 -t 30s \
#       --host http://127.0.0.1:8080/votes
import json
import os

from locust import HttpUser, between, task
from locust.exception import StopUser

# Next to this file, so the command works from any directory.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "traffic.json"), encoding="utf-8") as f:
    votes = json.load(f)


class Voter(HttpUser):
    wait_time = between(0.01, 0.05)

    @task
    def vote(self):
        if not votes:
            raise StopUser()  # every row sent: this user is done; -t ends the run
        row = votes.pop()
        res = self.client.post("", json=row)
        # Locust counts a non-2xx answer as a failure; a body that is not JSON raises here, which
        # Locust counts as an exception.
        res.json()
