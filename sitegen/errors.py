"""Every editor-facing message, in French, and the Problem type that carries it.

A message names the place (path:line), says what is wrong and how to fix it.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass, field

ERROR = "erreur"
WARNING = "avertissement"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the content, located in a file and line."""

    path: str  # path relative to the project, as the editor sees it
    line: int | None  # 1-based line, or None when the whole file is concerned
    message: str  # what is wrong
    hint: str = ""  # how to fix it
    severity: str = field(default=ERROR, compare=False)

    @property
    def is_error(self) -> bool:
        """True for a blocking error, False for a warning."""
        return self.severity == ERROR

    @property
    def sort_key(self) -> tuple[str, int, str]:
        """Order of display: by file, then line (file-wide problems first)."""
        return (self.path, self.line or 0, self.message)

    def location(self) -> str:
        """`path:line`, the part terminals turn into a link."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        """The message as printed in the terminal."""
        prefix = "" if self.is_error else "avertissement : "
        text = f"{self.location()} : {prefix}{self.message}"
        return f"{text}\n  → {self.hint}" if self.hint else text


class ContentError(Exception):
    """Raised when the content cannot be built; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.format() for p in problems))
        self.problems = problems


def summary(errors: int, warnings: int, built: bool) -> str:
    """The last line printed after a build or a check."""
    parts = []
    if errors:
        parts.append(f"{errors} erreur{'s' if errors > 1 else ''}")
    if warnings:
        parts.append(f"{warnings} avertissement{'s' if warnings > 1 else ''}")
    counted = " et ".join(parts)
    if errors:
        return f"{counted} : le site n'a pas été régénéré, l'ancien site/ est intact."
    if built:
        return f"Site généré ({counted})." if counted else "Site généré sans erreur."
    if counted:
        return f"Vérification terminée : {counted}."
    return "Vérification terminée : aucun problème."


WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}


def cannot_write(path: str | None, code: int | None) -> str:
    """The disk refused a write: full, read-only or not ours."""
    reason = {errno.ENOSPC: "le disque est plein", errno.EDQUOT: "le quota du disque est atteint",
              errno.EFBIG: "la taille de fichier permise est dépassée",
              errno.EROFS: "le disque est en lecture seule"}.get(code, "l'accès est refusé")
    where = f" dans {path}" if path else ""
    return (f"Erreur : impossible d'écrire{where} ({reason}). Le site précédent est intact.\n"
            "  → Libérez de la place ou vérifiez les droits sur ce dossier, puis relancez.")


ARGPARSE_PATTERNS = [  # argparse's English -> French
    (r"unrecognized arguments: (.*)", "option inconnue : {0}"),
    (r"argument \S+: invalid choice: '([^']*)'.*", "commande inconnue : « {0} »"),
    (r"argument (\S+): invalid int value: '([^']*)'", "{0} attend un nombre entier, pas « {1} »"),
    (r"argument (\S+): expected one argument", "{0} attend une valeur"),
]


def bad_command_line(detail: str) -> str:
    """The command line could not be read: what argparse found, in French."""
    for pattern, french in ARGPARSE_PATTERNS:
        match = re.fullmatch(pattern, detail)
        if match:
            detail = french.format(*match.groups())
            break
    return ("Erreur : la commande n'est pas comprise (" + detail + ").\n"
            "  → Commandes : build, serve, check, nouveau ; options : "
            "python build.py --help. Exemple : python build.py check --strict\n")


def internal_error(path: str | None) -> str:
    """Message for a bug in the generator itself (never the editor's fault)."""
    where = f" pendant le traitement de {path}" if path else ""
    return (
        f"Erreur interne du générateur{where}. Ce n'est pas une erreur de votre part : "
        "prévenez l'équipe technique (relancez avec --debug pour le détail)."
    )


# --- Reading files -------------------------------------------------------------------------

def not_utf8(offset_line: int) -> tuple[str, str]:
    return (
        f"le fichier contient des caractères qui ne sont pas en UTF-8 (ligne {offset_line}).",
        "Enregistrez le fichier en « UTF-8 » dans votre éditeur (menu Enregistrer sous > Codage).",
    )


NUL_BYTE = (
    "le fichier contient un caractère nul (octet 0), sans doute un copier-coller d'un "
    "document binaire.",
    "Supprimez ce caractère invisible ou retapez la ligne concernée.",
)
EMPTY_FILE = ("le fichier est vide.", "Remplissez-le ou supprimez-le.")


def too_large(size_mb: float, limit_mb: float) -> tuple[str, str]:
    return (
        f"le fichier est trop volumineux ({decimal_fr(size_mb)} Mo ; au plus "
        f"{decimal_fr(limit_mb)} Mo pour un texte).",
        "Un texte ne dépasse jamais cette taille : vérifiez qu'il ne s'agit pas d'un document "
        "à placer dans content/fichiers/.",
    )


SYMLINK_OUTSIDE = (
    "ce fichier, ou le dossier qui le contient, est un lien vers un emplacement hors du "
    "dossier content/.",
    "Copiez le fichier lui-même dans content/ au lieu d'un lien.",
)
SYMLINK_BROKEN = (
    "ce fichier est un lien symbolique cassé, ou qui tourne en boucle.",
    "Supprimez le lien et copiez le fichier lui-même dans content/.",
)
FRONT_MATTER_MISSING = (
    "le fichier ne commence pas par un en-tête « --- ».",
    "La première ligne doit être « --- », suivie des champs (titre: …), puis d'une ligne « --- ».",
)
FRONT_MATTER_UNCLOSED = (
    "l'en-tête commencé par « --- » n'est jamais refermé.",
    "Ajoutez une ligne « --- » seule après le dernier champ de l'en-tête.",
)
TOO_DEEP = (
    "la structure est imbriquée trop profondément.",
    "Simplifiez : les champs du site n'ont jamais plus de quelques niveaux d'indentation.",
)
ALIAS_USED = (
    "les alias YAML (« & » et « * ») ne sont pas acceptés.",
    "Recopiez la valeur au lieu d'utiliser un alias ; mettez entre guillemets un texte qui "
    "commence par « & » ou « * ».",
)


def duplicate_key(key: str, first_line: int) -> tuple[str, str]:
    return (
        f"le champ « {key} » apparaît deux fois (déjà ligne {first_line}).",
        "Gardez une seule ligne pour ce champ et supprimez l'autre.",
    )


# --- YAML syntax, translated ---------------------------------------------------------------

YAML_COLON = (
    "un « : » dans une valeur empêche de lire la ligne (l'espace avant les deux-points, "
    "à la française, trompe le format YAML).",
    'Mettez la valeur entre guillemets, par exemple : titre: "Date limite : 15 mars".',
)
YAML_TAB = (
    "la ligne est indentée avec une tabulation.",
    "Remplacez la tabulation par des espaces (deux espaces par niveau).",
)
YAML_INDENT = (
    "l'indentation (les espaces en début de ligne) est incohérente.",
    "Alignez ce champ sur les autres champs du même niveau, avec des espaces.",
)
YAML_QUOTE = (
    "des guillemets ouverts ne sont pas refermés.",
    "Refermez les guillemets à la fin de la valeur, ou retirez-les.",
)
YAML_SPECIAL_START = (
    "la valeur commence par un caractère réservé (@, `, %, | ou >).",
    "Mettez la valeur entre guillemets.",
)


YAML_UNREADABLE = (
    "cette ligne ne respecte pas le format YAML.",
    "Comparez-la avec un exemple du guide de rédaction ; en cas de doute, mettez la valeur "
    "entre guillemets.",
)


# --- Fields ---------------------------------------------------------------------------------

NOT_A_MAPPING = (
    "le contenu doit être une liste de champs « nom: valeur ».",
    "Inspirez-vous d'un fichier existant du même type.",
)


def not_a_list(what: str) -> tuple[str, str]:
    return (
        f"le fichier doit contenir une liste de {what}, chaque élément commençant par « - ».",
        "Commencez chaque élément par un tiret suivi d'une espace, comme dans le guide.",
    )


def unknown_key(key: str, suggestion: str | None, known: list[str]) -> tuple[str, str]:
    if suggestion:
        return (f"le champ « {key} » est inconnu. Vouliez-vous dire « {suggestion} » ?",
                f"Renommez-le en « {suggestion} ».")
    return (f"le champ « {key} » est inconnu.",
            "Champs possibles : " + ", ".join(known) + ".")


def missing_field(key: str, example: str) -> tuple[str, str]:
    return (f"le champ obligatoire « {key} » manque.",
            f"Ajoutez une ligne, par exemple : {example}")


def empty_field(key: str, example: str) -> tuple[str, str]:
    return (f"le champ « {key} » est vide.", f"Donnez-lui une valeur, par exemple : {example}")


def expected_text(key: str) -> tuple[str, str]:
    return (f"le champ « {key} » doit être un texte.",
            "Écrivez le texte sur la même ligne, entre guillemets s'il contient « : » ou « # ».")


def too_long(key: str, length: int, limit: int) -> tuple[str, str]:
    return (f"le champ « {key} » est trop long ({thousands_fr(length)} caractères, au plus "
            f"{thousands_fr(limit)}).",
            "Raccourcissez-le ; le détail a sa place dans le corps du texte.")


def bad_date(key: str, value: str) -> tuple[str, str]:
    return (f"la date « {value} » du champ « {key} » n'est pas reconnue.",
            "Écrivez-la au format AAAA-MM-JJ, par exemple 2025-02-05.")


def impossible_date(key: str, value: str) -> tuple[str, str]:
    return (f"la date « {value} » du champ « {key} » n'existe pas dans le calendrier.",
            "Vérifiez le jour et le mois (un mois a 28 à 31 jours).")


def date_out_of_range(key: str, value: str) -> tuple[str, str]:
    return (f"la date « {value} » du champ « {key} » est hors des années possibles (2000 à 2100).",
            "Vérifiez l'année.")


def bad_time(key: str, value: str) -> tuple[str, str]:
    return (f"l'heure « {value} » du champ « {key} » n'est pas reconnue.",
            'Écrivez-la entre guillemets au format HH:MM, par exemple "14:30".')


def sexagesimal_time(key: str, value: int) -> tuple[str, str]:
    return (f"l'heure du champ « {key} » a été lue comme le nombre {value}.",
            'Écrivez l\'heure entre guillemets, par exemple "9:30".')


def nonexistent_local_time(day: str, time: str, zone: str) -> tuple[str, str]:
    return (f"l'heure {time} du {day} n'existe pas dans le fuseau {zone} "
            "(passage à l'heure d'été).",
            "Choisissez une heure avant 2 h ou à partir de 3 h ce jour-là.")


def bad_boolean(key: str, value: object) -> tuple[str, str]:
    return (f"le champ « {key} » doit valoir « oui » ou « non » (et non « {value} »).",
            f"Écrivez {key}: oui  ou  {key}: non.")


def bad_integer(key: str, value: object) -> tuple[str, str]:
    return (f"le champ « {key} » doit être un nombre entier (et non « {value} »).",
            f"Écrivez un nombre sans guillemets, par exemple {key}: 1.")


def bad_number(key: str, value: object) -> tuple[str, str]:
    return (f"le champ « {key} » doit être un nombre (et non « {value} »).",
            "Utilisez le point comme séparateur décimal, par exemple 48.0008.")


def out_of_bounds(key: str, value: object, low: float, high: float) -> tuple[str, str]:
    return (f"le champ « {key} » vaut {value}, hors de l'intervalle {low:g} à {high:g}.",
            "Vérifiez la valeur.")


def bad_choice(key: str, value: object, choices: list[str]) -> tuple[str, str]:
    allowed = ", ".join(f"« {c} »" for c in choices)
    return (f"la valeur « {value} » du champ « {key} » n'est pas permise.",
            f"Valeurs possibles : {allowed}.")


def bad_url(key: str, value: str) -> tuple[str, str]:
    return (f"l'adresse « {value} » du champ « {key} » n'est pas une adresse web valide.",
            "Écrivez l'adresse complète, commençant par https://.")


def value_starts_with_hash(key: str) -> tuple[str, str]:
    return (f"la valeur du champ « {key} » commence par « # » : tout ce qui suit est lu comme "
            "un commentaire, et le champ reste vide.",
            f'Mettez la valeur entre guillemets, par exemple : {key}: "#8a0000".')


def coordinates_incomplete(missing: str) -> tuple[str, str]:
    return (f"les coordonnées du lieu sont incomplètes : « {missing} » manque.",
            "Indiquez la latitude et la longitude (degrés décimaux), ou aucune des deux.")


def document_file_and_link(title: str) -> tuple[str, str]:
    return (f"le document « {title} » a à la fois un fichier et un lien.",
            "Gardez « fichier » pour un document déposé dans content/fichiers/, ou « lien » "
            "pour un document publié ailleurs, pas les deux.")


def bad_phone(key: str, value: str) -> tuple[str, str]:
    return (f"le numéro « {value} » du champ « {key} » n'est pas un numéro de téléphone complet.",
            'Écrivez les dix chiffres, par exemple "02 98 00 00 00" (ou +33 suivi de neuf '
            "chiffres).")


def bad_email(key: str, value: str) -> tuple[str, str]:
    return (f"l'adresse électronique « {value} » du champ « {key} » n'est pas valide.",
            "Écrivez une adresse de la forme prenom.nom@exemple.fr.")


def unsafe_link(key: str, value: str) -> tuple[str, str]:
    return (f"le lien « {value} » du champ « {key} » n'est pas autorisé.",
            "Utilisez une adresse https://, mailto: ou tel:, ou le chemin d'une page du site.")


def bad_path(key: str, value: str) -> tuple[str, str]:
    return (f"le chemin « {value} » du champ « {key} » sort du dossier content/ ou est absolu.",
            "Indiquez un chemin relatif au dossier content/, sans « .. », par exemple "
            "fichiers/guide.pdf.")


def missing_file(key: str, value: str) -> tuple[str, str]:
    return (f"le fichier « {value} » du champ « {key} » est introuvable.",
            "Déposez le fichier dans content/fichiers/ ou corrigez son nom.")


def bad_file_name(name: str) -> tuple[str, str]:
    return (f"le nom de fichier « {name} » ne convient pas pour une adresse web.",
            "Utilisez seulement des lettres minuscules sans accent, des chiffres et des tirets, "
            "par exemple rencontre-tne.md.")


def expected_mapping(key: str) -> tuple[str, str]:
    return (f"le champ « {key} » doit contenir des sous-champs indentés.",
            "Indentez chaque sous-champ de deux espaces sous « " + key + ": ».")


def expected_list(key: str) -> tuple[str, str]:
    return (f"le champ « {key} » doit être une liste.",
            "Écrivez un élément par ligne, chacun commençant par « - ».")


# --- Cross-file checks ------------------------------------------------------------------------

def end_before_start(start_key: str, end_key: str) -> tuple[str, str]:
    return (f"« {end_key} » est avant « {start_key} ».",
            f"Corrigez l'une des deux dates : « {end_key} » doit être le même jour ou après.")


def end_time_before_start() -> tuple[str, str]:
    return ("l'heure de fin est avant l'heure de début.",
            "Corrigez « heure_fin » ou indiquez une date de fin le jour suivant.")


def end_time_without_start() -> tuple[str, str]:
    return ("« heure_fin » est indiquée sans « heure_debut ».",
            "Ajoutez l'heure de début, ou retirez l'heure de fin pour un événement sur la journée.")


def duplicate_slug(url: str, other: str) -> tuple[str, str]:
    return (f"l'adresse {url} est déjà produite par {other}.",
            "Renommez l'un des deux fichiers pour que chaque page ait sa propre adresse.")


def duplicate_uid(uid: str, other: str) -> tuple[str, str]:
    return (f"l'identifiant « {uid} » est déjà utilisé par {other}.",
            "Chaque événement garde son propre identifiant : si vous avez copié un fichier, "
            "remplacez l'identifiant de la copie par celui que propose "
            "« python build.py nouveau evenement ».")


def missing_uid(suggested: str) -> tuple[str, str]:
    return ("l'événement n'a pas d'identifiant (champ « identifiant »).",
            f"Ajoutez la ligne  identifiant: {suggested}  et ne la modifiez plus jamais : "
            "c'est elle qui permet aux agendas abonnés de suivre l'événement.")


def bad_uid(value: str) -> tuple[str, str]:
    return (f"l'identifiant « {value} » n'est pas valide.",
            "Un identifiant contient 8 à 100 lettres, chiffres, tirets ou points, "
            "par exemple 2025-02-05-rencontre-3f9c2a.")


def unknown_reference(key: str, value: str, known: list[str]) -> tuple[str, str]:
    listing = ", ".join(f"« {k} »" for k in known) or "aucune"
    return (f"« {value} » (champ « {key} ») ne correspond à rien de connu.",
            f"Valeurs possibles : {listing}.")


def missing_role_page(role: str) -> tuple[str, str]:
    return (f"aucune page n'a le gabarit « {role} », qui est obligatoire.",
            f"Créez une page dans content/pages/ avec la ligne  gabarit: {role}")


def duplicate_role_page(role: str, other: str) -> tuple[str, str]:
    return (f"le gabarit « {role} » est déjà utilisé par {other}.",
            "Une seule page peut avoir ce gabarit : changez le gabarit de l'une des deux.")


def unsafe_markdown(what: str) -> tuple[str, str]:
    return (f"le texte contient du code HTML non autorisé ({what}), qui a été retiré.",
            "Retirez ce code : les scripts et les attributs « on… » ne sont jamais publiés.")


# --- Warnings ---------------------------------------------------------------------------------

def contact_unreachable(name: str) -> tuple[str, str]:
    return (f"le contact « {name} » n'a ni adresse électronique ni téléphone.",
            "Ajoutez « courriel: » ou « telephone: » pour que les visiteurs puissent le joindre.")


def to_confirm(what: str) -> tuple[str, str]:
    return (f"« {what} » est marqué « a_confirmer: oui ».",
            "Faites valider ce texte, puis retirez la ligne « a_confirmer ».")


def missing_legal(key: str) -> tuple[str, str]:
    return (f"le champ « {key} » n'est pas renseigné ; les mentions légales restent incomplètes.",
            f"Ajoutez « {key} » dans content/site.yaml.")


def sequence_not_raised(title: str, changed: str) -> tuple[str, str]:
    return (f"« {title} » a changé depuis l'agenda publié ({changed}), "
            "mais pas son numéro « sequence ».",
            "Augmentez « sequence » de 1 pour que les agendas abonnés prennent le changement.")


def event_vanished(title: str, uid: str) -> tuple[str, str]:
    return (f"l'événement « {title} » (identifiant {uid}) a disparu de l'agenda publié : "
            "les agendas abonnés le garderont sans savoir qu'il n'a plus lieu.",
            "Pour annuler un événement, gardez son fichier avec « statut: annulé » et augmentez "
            "« sequence » de 1 ; si le fichier a été renommé, gardez le même identifiant.")


def ignored_file(name: str) -> tuple[str, str]:
    return (f"le fichier « {name} » est ignoré : seuls les fichiers .md de ce dossier (et non "
            "de ses sous-dossiers) sont lus.",
            "Renommez-le en …md (attention aux extensions cachées, comme .md.txt), ou déplacez-le.")


def overlapping_campaigns(number: int, other: int) -> tuple[str, str]:
    return (f"la campagne n° {number} est ouverte en même temps que la campagne n° {other} ; "
            "le site n'en présente qu'une à la fois (la première ouverte).",
            "Vérifiez les dates d'ouverture et de clôture.")


def stale_update_date(day: str) -> tuple[str, str]:
    return (f"la date de mise à jour ({day}) a plus d'un an.",
            "Relisez la page, puis mettez à jour « mise_a_jour » dans content/site.yaml.")


def missing_description(title: str) -> tuple[str, str]:
    return (f"la page « {title} » n'a pas de description.",
            "Ajoutez « description: » (une phrase), affichée par les moteurs de recherche.")


# --- Live preview (serve) ---------------------------------------------------------------------

PREVIEW_ERROR_TITLE = "Le contenu contient une erreur"
PREVIEW_ERROR_INTRO = ("L'aperçu n'est pas à jour : corrigez le fichier indiqué puis "
                       "enregistrez-le. Cette page se rechargera toute seule, inutile de "
                       "relancer l'aperçu.")
PREVIEW_BAD_REQUEST = "Adresse invalide : elle sort du site ou contient des caractères interdits."
PREVIEW_NOT_FOUND = "Page introuvable dans l'aperçu."
PREVIEW_STOPPED = "Aperçu arrêté."


def preview_started(url: str, output: str) -> str:
    return (f"Aperçu du site : {url}\n"
            f"  Brouillons et contenus programmés y sont visibles (fichiers dans {output}/, "
            "jamais publiés).\n"
            "  Chaque fichier enregistré met la page à jour toute seule. Ctrl+C pour arrêter.")


def preview_on_network(host: str) -> str:
    return (f"attention : l'aperçu écoute sur {host} ; les autres ordinateurs du réseau "
            "peuvent le consulter, brouillons compris.")


def port_unavailable(host: str, port: int, reason: str) -> tuple[str, str]:
    return (f"impossible d'ouvrir l'aperçu sur {host}:{port} ({reason}).",
            f"Un autre aperçu tourne peut-être déjà : fermez-le, ou choisissez un autre port, "
            f"par exemple --port {port + 1 if port else 8001}.")


def preview_rebuilt(clock: str, milliseconds: int, changed: list[str], total: int) -> str:
    shown = ", ".join(changed)
    more = total - len(changed)
    if more > 0:
        shown += f" et {more} autre{'s' if more > 1 else ''}"
    return f"{clock} aperçu régénéré en {milliseconds} ms" + (f" : {shown}" if shown else "")


def preview_failed(clock: str, count: int) -> str:
    return (f"{clock} {count} erreur{'s' if count > 1 else ''} : l'aperçu affiche le message "
            "dans le navigateur. Corrigez le fichier et enregistrez-le : la page se rechargera "
            "seule.")


def preview_warnings(count: int) -> str:
    plural = "s" if count > 1 else ""
    return (f"{count} avertissement{plural} (non bloquant{plural}, détail avec "
            "« python build.py check »).")


# --- Check ------------------------------------------------------------------------------------

def broken_link(href: str, page: str, suggestion: str | None) -> tuple[str, str]:
    hint = (f"Corrigez l'adresse ; vouliez-vous dire « {suggestion} » ?" if suggestion else
            "Corrigez l'adresse : elle doit mener à une page ou à un fichier du site.")
    return (f"le lien « {href} » (page {page}) mène à une page qui n'existe pas.", hint)


def unpublished_link(href: str, page: str) -> tuple[str, str]:
    return (f"le lien « {href} » (page {page}) mène à un contenu en brouillon ou programmé, "
            "absent du site publié.",
            "Publiez d'abord ce contenu (retirez « brouillon: oui » ou attendez sa date de "
            "« publication »), ou retirez le lien.")


def missing_file_link(href: str, page: str) -> tuple[str, str]:
    return (f"le lien « {href} » (page {page}) mène à un fichier absent.",
            "Déposez le fichier dans content/fichiers/ sous ce nom exact, ou corrigez le lien.")


def missing_anchor(href: str, page: str, target: str, anchors: list[str]) -> tuple[str, str]:
    anchor = href.split("#", 1)[1]
    known = ", ".join(f"« {a} »" for a in anchors[:8])
    hint = (f"Ancres possibles sur {target} : {known}." if known else
            f"La page {target} n'a aucune ancre : retirez « #{anchor} » du lien.")
    return (f"le lien « {href} » (page {page}) vise l'ancre « {anchor} », absente de "
            f"{target}.", hint)


def feed_problem(detail: str) -> tuple[str, str]:
    return (f"le calendrier produit est incorrect ({detail}).",
            "Erreur du générateur, pas de votre contenu : prévenez l'équipe technique.")


def postponed_in_past(title: str) -> tuple[str, str]:
    return (f"l'événement « {title} » est passé mais toujours marqué « reporté ».",
            "Indiquez la nouvelle date (et augmentez « sequence »), ou écrivez statut: annulé.")


def published_site_stale(output: str, built_on: str, changed: list[str]) -> tuple[str, str]:
    listing = ", ".join(changed[:5])
    more = f" et {len(changed) - 5} autres" if len(changed) > 5 else ""
    return (f"le site de {output}/ a été généré avec la date du {built_on} : des statuts y sont "
            f"périmés : {listing}{more}.",
            "Régénérez le site (make build) puis publiez-le ; idéalement chaque nuit, pour que "
            "les statuts suivent le calendrier.")


PLACEHOLDER = "À compléter"


def placeholder_left(what: str) -> tuple[str, str]:
    return (f"« {what} » contient encore le texte « {PLACEHOLDER} » du modèle.",
            "Remplacez ce texte avant publication.")


def check_summary(errors: int, warnings: int, strict: bool) -> str:
    """The last line of `check`."""
    parts = []
    if errors:
        parts.append(f"{errors} erreur{'s' if errors > 1 else ''}")
    if warnings:
        parts.append(f"{warnings} avertissement{'s' if warnings > 1 else ''}")
    if not parts:
        return "Vérification terminée : aucun problème."
    counted = " et ".join(parts)
    if errors:
        return f"Vérification terminée : {counted}. Corrigez les erreurs avant de publier."
    if strict:
        return (f"Vérification terminée : {counted}. Mode strict (--strict) : "
                "les avertissements comptent comme des erreurs.")
    return f"Vérification terminée : {counted} (non bloquant{'s' if warnings > 1 else ''})."


# --- New content (nouveau) --------------------------------------------------------------------

NEW_USAGE = ('Exemples :\n'
             '  python build.py nouveau evenement "Forum des usages" --date 2025-06-12 '
             '--lieu "Collège Jean-Moulin" --ville Amiens\n'
             '  python build.py nouveau page "Foire aux questions"')


def new_unknown_kind(kind: str | None) -> tuple[str, str]:
    what = f"« {kind} » n'est pas un type de contenu connu" if kind else "le type de contenu manque"
    return (f"{what} (possibles : evenement, page).", NEW_USAGE)


def new_missing_title(kind: str) -> tuple[str, str]:
    return (f"le titre du nouveau contenu ({kind}) manque.",
            "Écrivez-le entre guillemets après le type. " + NEW_USAGE)


def new_missing_option(option: str, example: str) -> tuple[str, str]:
    return (f"l'option {option} est obligatoire pour un événement.",
            f"Ajoutez-la, par exemple : {option} {example}")


def new_bad_date(value: str) -> tuple[str, str]:
    return (f"la date « {value} » de --date n'est pas reconnue.",
            "Écrivez-la au format AAAA-MM-JJ, par exemple --date 2025-06-12.")


def new_impossible_date(value: str) -> tuple[str, str]:
    return (f"la date « {value} » de --date n'existe pas dans le calendrier.",
            "Vérifiez le jour et le mois (un mois a 28 à 31 jours).")


def new_bad_title(title: str) -> tuple[str, str]:
    return (f"le titre « {title} » ne contient aucune lettre ni aucun chiffre utilisable pour "
            "le nom du fichier.", "Choisissez un titre avec des mots.")


def new_exists() -> tuple[str, str]:
    return ("ce fichier existe déjà : il n'a pas été modifié.",
            "Ouvrez-le pour le compléter, ou choisissez un autre titre.")


def new_invalid(count: int) -> str:
    return (f"le fichier n'a pas été créé : {count} problème{'s' if count > 1 else ''} "
            "ci-dessus.")


def new_created(path: str) -> str:
    return (f"{path} créé, en brouillon (visible dans l'aperçu seulement).\n"
            f"  → Remplacez les textes « {PLACEHOLDER} », relisez avec « make serve », puis "
            "retirez la ligne « brouillon: oui » pour le publier.")


# Skeletons written by `nouveau` (created as drafts; {…} are filled in by scaffold.py).
NEW_EVENT_FILE = """\
---
identifiant: {uid}
titre: {title}
date: {day}
# Pour un événement sur plusieurs jours, retirez le « # » et indiquez le dernier jour :
# date_fin: {day}
# Pour un horaire (sans heure : toute la journée), retirez les « # » :
# heure_debut: "14:30"
# heure_fin: "16:30"
lieu: {place}
ville: {town}
resume: "À compléter : une ou deux phrases, reprises dans l'agenda et le calendrier."
# type : rencontre, forum, séminaire, formation, webinaire, salon ou autre
type: autre
statut: confirmé
mise_a_jour: {today}
# Retirez la ligne suivante quand l'événement est prêt à être publié.
brouillon: oui
---
À compléter : décrivez l'événement en un ou deux paragraphes (programme, public, inscription).
"""

NEW_PAGE_FILE = """\
---
titre: {title}
description: "À compléter : une phrase qui résume la page, pour les moteurs de recherche."
# Pour afficher la page dans le menu principal, retirez les « # » :
# menu: "Libellé court"
# ordre: 10
mise_a_jour: {today}
# Retirez la ligne suivante quand la page est prête à être publiée.
brouillon: oui
---
À compléter : le texte de la page, en Markdown.

## Un intertitre

Un paragraphe, avec un mot en **gras**.
"""


# --- Hostile input: what a copy-paste or a malicious file can bring (load.py, fields.py) ------

NOT_A_FILE = (
    "ce nom désigne un dossier ou un fichier spécial, pas un fichier de texte.",
    "Renommez-le sans l'extension .md ou .yaml, ou déplacez-le hors de content/.",
)


def unreadable(reason: str) -> tuple[str, str]:
    return (f"le fichier ne peut pas être lu ({reason}).",
            "Vérifiez qu'il est bien enregistré et lisible, puis relancez.")


def control_character(code: str) -> tuple[str, str]:
    return (f"le fichier contient un caractère de contrôle invisible ({code}), souvent laissé "
            "par un copier-coller depuis un PDF ou un traitement de texte.",
            "Effacez puis retapez les caractères autour de cet endroit de la ligne.")


def control_in_value(key: str, code: str) -> tuple[str, str]:
    return (f"le champ « {key} » contient un caractère de contrôle invisible ({code}).",
            "Retirez la séquence commençant par « \\ » ou retapez la valeur.")


def invisible_in_key(key: str) -> tuple[str, str]:
    return (f"le nom du champ « {key} » contient un caractère invisible (espace insécable ou "
            "espace sans largeur), sans doute copié d'une page web.",
            f"Effacez le nom du champ et retapez-le : {key}")


YAML_TAG = (
    "la valeur commence par « ! », qui introduit un type en YAML ; les types ne sont pas "
    "acceptés.",
    "Mettez la valeur entre guillemets, par exemple : titre: \"!Important\".",
)
YAML_COMPLEX_KEY = (
    "un nom de champ doit être un simple mot suivi de « : ».",
    "Retirez le « ? », les crochets ou les accolades en début de ligne ; mettez la valeur "
    "entre guillemets si elle en contient.",
)
YAML_SEVERAL_DOCUMENTS = (
    "une ligne « --- » coupe le fichier en deux.",
    "Supprimez cette ligne : un fichier de données contient une seule liste.",
)
YAML_BRACKET = (
    "un crochet « [ » ou une accolade « { » ouvert n'est pas refermé.",
    "Refermez-le sur la même ligne, ou mettez la valeur entre guillemets.",
)
YAML_DASH = (
    "un tiret « - » est mal placé : le format YAML y voit le début d'une liste.",
    "Mettez la valeur entre guillemets si elle commence par un tiret ; sinon, alignez les "
    "éléments de la liste les uns sous les autres.",
)
YAML_INNER_QUOTE = (
    "la valeur s'arrête trop tôt : elle contient le guillemet ou l'apostrophe qui l'entoure.",
    "Entourez de guillemets droits un texte qui contient une apostrophe (titre: \"L'Arvest\"), "
    "et écrivez les guillemets intérieurs à la française : « grand » forum.",
)
YAML_COLON_SPACE = (
    "il manque une espace après « : ».",
    "Écrivez le nom du champ, deux-points, une espace, puis la valeur, par exemple : "
    "ville: Amiens",
)
YAML_WORD_DASH = (
    "la ligne commence par un tiret long ou une puce (–, —, •), copié d'un traitement de "
    "texte : le format YAML n'attend que le tiret simple « - ».",
    "Effacez ce caractère et retapez un tiret « - » suivi d'une espace.",
)
YAML_DASH_SPACE = (
    "le tiret qui commence l'élément de liste n'est pas suivi d'une espace ordinaire.",
    "Écrivez « - » puis une espace (barre d'espace), par exemple « - nom: … ».",
)
YAML_NBSP_INSIDE = (
    "la ligne contient une espace insécable (invisible), sans doute copiée d'une page web "
    "ou d'un traitement de texte, qui empêche de la lire.",
    "Retapez les espaces de cette ligne avec la barre d'espace, ou mettez la valeur entre "
    "guillemets.",
)
YAML_NBSP = (
    "la ligne commence par une espace insécable (invisible), sans doute copiée d'une page "
    "web ou d'un traitement de texte.",
    "Effacez les espaces en début de ligne et retapez-les avec la barre d'espace.",
)
YAML_ESCAPE = (
    "une barre oblique inverse « \\ » dans un texte entre guillemets commence un code spécial.",
    "Doublez-la (\\\\) ou entourez la valeur d'apostrophes ; dans un chemin, écrivez « / ».",
)


def body_too_long(length: int, limit: int) -> tuple[str, str]:
    return (f"le texte est trop long ({thousands_fr(length)} caractères ; au plus "
            f"{thousands_fr(limit)}).",
            "Découpez-le en plusieurs pages.")


def block_too_complex(chars: int, brackets: int) -> tuple[str, str]:
    return ("ce paragraphe est trop long, ou contient trop de crochets « [ », pour être mis "
            "en page.",
            "Coupez-le en plusieurs paragraphes séparés par une ligne vide (au plus "
            f"{thousands_fr(chars)} "
            f"caractères et {brackets} liens par paragraphe).")


def body_too_indented(limit: int) -> tuple[str, str]:
    return (f"la ligne commence par plus de {limit} espaces : une liste ne s'imbrique pas "
            "aussi profondément.",
            "Réduisez l'indentation (quatre espaces par niveau de liste).")


def thousands_fr(number: int) -> str:
    """12 345, with a narrow no-break space, as French writes numbers."""
    return f"{number:,}".replace(",", "\u202f")


def decimal_fr(number: float) -> str:
    """52,4 ; 2 (one decimal at most, with a comma)."""
    return f"{number:.1f}".replace(".", ",").removesuffix(",0")


def shorten(value: object, limit: int = 80) -> str:
    """A value quoted in a message: on one line, and cut when very long."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Settings (site.yaml) and lists -------------------------------------------------------------

def missing_settings(shown: str) -> tuple[str, str]:
    return (f"le fichier {shown} est introuvable.",
            "Chaque site a un fichier site.yaml : copiez celui d'un autre territoire, "
            "puis adaptez-le.")


def bad_colour(value: str) -> tuple[str, str]:
    return (f"la couleur « {value} » n'est pas reconnue.",
            'Écrivez-la entre guillemets au format "#RRVVBB", par exemple "#1d4e89".')


def low_contrast(value: str, ratio: float) -> tuple[str, str]:
    return (f"la couleur « {value} » est trop claire : son contraste avec le blanc est de "
            f"{ratio:.1f}:1, il faut au moins 4,5:1 pour que les liens et boutons restent "
            "lisibles (RGAA).".replace(".", ",", 1),
            "Choisissez une teinte plus foncée, par exemple \"#1d4e89\".")


CALENDAR_NAME_CHARACTERS = (
    "le nom de l'agenda contient une virgule, un point-virgule ou une barre oblique inverse, "
    "mal lus par certains agendas.",
    "Reformulez le nom sans ces caractères.",
)
CALENDAR_FILE_NAME = (
    "le nom du fichier de l'agenda doit finir par .ics et ne contenir que des minuscules, "
    "chiffres et tirets.",
    "Par exemple : agenda.ics",
)


def duplicate_campaign(number: int, first_line: int) -> tuple[str, str]:
    return (f"la campagne n° {number} est décrite deux fois (déjà ligne {first_line}).",
            "Supprimez le doublon ou corrigez le numéro.")


def document_without_target(title: str) -> tuple[str, str]:
    return (f"le document « {title} » n'a ni fichier ni lien.",
            "Ajoutez « fichier: fichiers/… » ou « lien: https://… ».")
