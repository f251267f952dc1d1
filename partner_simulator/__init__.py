"""Simulateur de partenaire du SI SIAO : un gestionnaire (comme Adoma) qui parle au SI SIAO
par l'API publique seulement — la référence pour les équipes techniques des partenaires.

Le protocole, en bref (le contrat complet : /api/v1/openapi.json et /api/v1/docs) :

1. **Jeton** : `POST /api/v1/oauth/token` (OAuth 2.0 *client credentials*, identifiants en
   HTTP Basic), un jeton porteur de courte durée (`expires_in`, 15 min par défaut) ; on le
   garde jusqu'à peu avant son expiration, et on en redemande un sur une réponse 401.
2. **Appels** : `Authorization: Bearer …` ; les erreurs sont des *problems* RFC 9457
   (`application/problem+json`, champs `code`, `detail`, `errors`). Chaque POST porte un
   `Idempotency-Key` (un uuid4 par opération, *réutilisé* quand on la retente) : un appel
   retenté après une coupure n'agit jamais deux fois. Sur 429, attendre `Retry-After`.
3. **Listes** : pagination par curseur — suivre `next_cursor` jusqu'à `null`.
4. **Webhooks** : le SI SIAO poste des événements minces `{id, type, created_at, data}` ; on
   vérifie la signature (voir `signatures.py`), puis on lit l'objet par l'API
   (`data.referral.url`) : les personnes ne voyagent jamais dans un webhook.

Modules : `client` (appels à l'API), `signatures` (vérification des webhooks), `listener`
(serveur de réception et réactions de l'opérateur simulé), `cli` (ligne de commande).
Dépendances : la bibliothèque standard et `requests` ; Python 3.11 ou plus récent.
"""

from .client import ApiError, SimulatorClient
from .listener import Operator, WebhookListener
from .signatures import Rejected, WebhookVerifier, sign

__all__ = ["ApiError", "Operator", "Rejected", "SimulatorClient", "WebhookListener", "WebhookVerifier", "sign"]
