"""French word lists the demo draws names, places and addresses from (plain data)."""

from __future__ import annotations

from desktop.services.demo.textdata import items, lines, pairs, triples, weighted

# Most frequent first: picks follow a Zipf-like law (Martin is the commonest surname).
LAST_NAMES: tuple[str, ...] = items(
    """
    Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent, Simon,
    Michel, Lefebvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, Bonnet, Dupont,
    Lambert, Fontaine, Rousseau, Vincent, Muller, Lefèvre, Faure, André, Mercier, Blanc,
    Guérin, Boyer, Garnier, Chevalier, François, Legrand, Gauthier, Garcia, Perrin, Robin,
    Clément, Morin, Nicolas, Henry, Roussel, Mathieu, Le Gall, Masson, Marchand, Duval,
    Denis, Dumont, Marie, Lemaire, Noël, Meyer, Dufour, Meunier, Brun, Blanchard, Giraud,
    Joly, Rivière, Lucas, Brunet, Gaillard, Barbier, Arnaud, Martinez, Gérard, Roche,
    Renard, Schmitt, Roy, Leroux, Colin, Vidal, Caron, Picard, Roger, Fabre, Aubert,
    Lemoine, Renaud, Dumas, Lacroix, Olivier, Philippe, Bourgeois, Pierre, Benoît, Rey,
    Leclerc, Le Goff, Rolland, Tanguy, Guillaume, Lecomte, Lopez, Jean, Dupuy, Guillot,
    Hubert, Berger, Carpentier, Sanchez, Dupuis, Moulin, Louis, Deschamps, Huet, Vasseur,
    Perez, Boucher, Fleury, Royer, Klein, Jacquet, Adam, Paris, Poirier, Marty, Aubry,
    Guyot, Carré, Charles, Renault, Charpentier, Ménard, Maillard, Baron, Bertin, Bailly,
    Hervé, Schneider, Fernandez, Le Roux, Collet, Léger, Bouvier, Julien, Prévost, Millet,
    Perrot, Daniel, Riou, Cousin, Germain, Breton, Besson, Langlois, Rémy, Le Bihan,
    Pelletier, Lévêque, Perrier, Leblanc, Barré, Lebrun, Marchal, Weber, Mallet, Hamon,
    Boulanger, Jacob, Monnier, Michaud, Rodriguez, Guichard, Gillet, Étienne, Le Floc'h,
    Poulain, Tessier, Chevallier, Collin, Chauvin, Da Silva, Bouchet, Gay, Lemaître, Bénard,
    Maréchal, Humbert, Reynaud, Antoine, Quéré, Perret, Barthélemy, Cordier, Pichon,
    Lejeune, Gilbert, Lamy, Delaunay, Pasquier, Carlier, Laporte, Le Guen, Jaouen, Le Corre,
    Morvan, Le Bris, Guivarc'h, Cadiou, Le Meur, Prigent, Kerbrat, Le Moal, Jézéquel,
    Le Berre, Hénaff, Salaün, Le Du, Nguyen, Benali, Haddad, Ferreira, Dos Santos, Kowalski,
    Rossi
    """
)

FIRST_NAMES: tuple[str, ...] = items(
    """
    Nathalie, Isabelle, Philippe, Sylvie, Catherine, Christophe, Stéphane, Sandrine,
    Frédéric, Valérie, Laurent, Céline, Nicolas, Julien, Sébastien, Aurélie, David, Émilie,
    Camille, Thomas, Julie, Éric, Olivier, Patrick, Christine, Véronique, Anne, Alain,
    Françoise, Martine, Thierry, Pascal, Hélène, Sophie, Caroline, Vincent, Guillaume,
    Antoine, Maxime, Alexandre, Mathieu, Romain, Kévin, Jérôme, Franck, Bruno, Didier,
    Dominique, Patricia, Corinne, Laurence, Delphine, Virginie, Stéphanie, Audrey, Mélanie,
    Élodie, Marion, Laura, Manon, Léa, Chloé, Sarah, Pauline, Lucie, Anaïs, Clément, Hugo,
    Lucas, Louis, Arthur, Gabriel, Jules, Paul, Léo, Raphaël, Nathan, Marie, Jean, Pierre,
    Michel, Baptiste, Quentin, Florian, Benoît, Cédric, Fabien, Jean-Pierre, Jean-Luc,
    Jean-François, Marie-Christine, Anne-Sophie, Yann, Gwenaëlle, Erwan, Maëlle, Loïc,
    Ronan, Gaëlle, Soizic, Tristan, Nolwenn, Bertrand, Hervé, Gilles, Joël, Annick, Monique,
    Brigitte, Claire, Agnès, Emmanuel, Cyril, Jonathan, Adrien, Damien, Morgane, Océane,
    Inès, Sofia, Yasmine, Mehdi, Karim, Nadia, Samir, Enzo
    """
)

# (postcode, city, phone prefix): real pairs.
CITIES: tuple[tuple[str, str, str], ...] = triples(
    """
    75008 | Paris                | 01 42
    75011 | Paris                | 01 43
    75015 | Paris                | 01 45
    69003 | Lyon                 | 04 78
    13008 | Marseille            | 04 91
    31000 | Toulouse             | 05 61
    06000 | Nice                 | 04 93
    44000 | Nantes               | 02 40
    67000 | Strasbourg           | 03 88
    34000 | Montpellier          | 04 67
    33000 | Bordeaux             | 05 56
    59000 | Lille                | 03 20
    35000 | Rennes               | 02 99
    51100 | Reims                | 03 26
    76600 | Le Havre             | 02 35
    42000 | Saint-Étienne        | 04 77
    83000 | Toulon               | 04 94
    38000 | Grenoble             | 04 76
    21000 | Dijon                | 03 80
    49000 | Angers               | 02 41
    30000 | Nîmes                | 04 66
    69100 | Villeurbanne         | 04 72
    63000 | Clermont-Ferrand     | 04 73
    72000 | Le Mans              | 02 43
    13100 | Aix-en-Provence      | 04 42
    29200 | Brest                | 02 98
    37000 | Tours                | 02 47
    80000 | Amiens               | 03 22
    87000 | Limoges              | 05 55
    74000 | Annecy               | 04 50
    66000 | Perpignan            | 04 68
    57000 | Metz                 | 03 87
    25000 | Besançon             | 03 81
    45000 | Orléans              | 02 38
    76000 | Rouen                | 02 35
    68100 | Mulhouse             | 03 89
    14000 | Caen                 | 02 31
    54000 | Nancy                | 03 83
    56000 | Vannes               | 02 97
    56100 | Lorient              | 02 97
    29000 | Quimper              | 02 98
    22000 | Saint-Brieuc         | 02 96
    35400 | Saint-Malo           | 02 99
    22300 | Lannion              | 02 96
    29600 | Morlaix              | 02 98
    29900 | Concarneau           | 02 98
    56400 | Auray                | 02 97
    56300 | Pontivy              | 02 97
    56800 | Ploërmel             | 02 97
    22100 | Dinan                | 02 96
    35300 | Fougères             | 02 99
    35500 | Vitré                | 02 99
    35600 | Redon                | 02 99
    44500 | La Baule-Escoublac   | 02 40
    44600 | Saint-Nazaire        | 02 40
    53000 | Laval                | 02 43
    17000 | La Rochelle          | 05 46
    86000 | Poitiers             | 05 49
    64000 | Pau                  | 05 59
    64100 | Bayonne              | 05 59
    84000 | Avignon              | 04 90
    73000 | Chambéry             | 04 79
    68000 | Colmar               | 03 89
    10000 | Troyes               | 03 25
    92100 | Boulogne-Billancourt | 01 46
    78000 | Versailles           | 01 39
    92000 | Nanterre             | 01 47
    93100 | Montreuil            | 01 48
    94000 | Créteil              | 01 49
    """
)

STREETS: tuple[str, ...] = items(
    """
    rue de la République, rue Jean Jaurès, avenue du Général de Gaulle, rue Victor Hugo,
    boulevard Gambetta, rue Pasteur, place de la Mairie, rue du Commerce, rue de la Gare,
    avenue Foch, rue Nationale, quai des Indes, rue Émile Zola, rue des Écoles,
    boulevard de la Paix, rue Saint-Vincent, rue du Port, allée des Tilleuls, rue de Brest,
    rue Anatole France, avenue de la Libération, rue des Halles, rue du Maréchal Leclerc,
    impasse des Ajoncs, rue Paul Bert, route de Nantes, chemin du Moulin, rue Jules Ferry
    """
)
BUSINESS_PARKS: tuple[str, ...] = items(
    """
    ZA de Kerlann, ZI du Prat, Parc d'activités du Golfe, ZAC des Châtelets,
    Technopôle Atalante, Espace Performance, Parc tertiaire de la Lande
    """
)
ADDRESS_LINE2: tuple[str, ...] = items(
    """
    Bâtiment B, 2e étage, BP 12, Résidence Les Mouettes, Bureau 104, CS 60021
    """
)
TRADES: tuple[str, ...] = items(
    """
    Boulangerie, Garage, Cabinet comptable, Pharmacie, Transports, Menuiserie, Plomberie,
    Électricité, Imprimerie, Hôtel, Restaurant, Agence immobilière, Clinique vétérinaire,
    Auto-école, Charpente, Boucherie, Librairie, Optique, Carrosserie, Cave, Brasserie,
    Crêperie, Atelier, Laboratoire, Cabinet dentaire, Étude notariale, Cabinet infirmier,
    Maçonnerie, Couverture, Paysagiste, Fromagerie, Poissonnerie, Chocolaterie, Cordonnerie
    """
)
PLACES: tuple[str, ...] = items(
    """
    du Centre, de la Gare, du Port, des Halles, du Marché, de l'Océan, du Golfe,
    des Remparts, du Château, de la Plage, des Lices, du Lac, de la Vallée, Saint-Michel,
    des Tilleuls, de la Cathédrale, du Phare
    """
)
BRANDS: tuple[str, ...] = items(
    """
    Armor, Atlantique, Breizh, Océane, Horizon, Azur, Nova, Émeraude, Arvor, Celtic, Iroise,
    Kerne, Argoat, Alizé, Boréal, Cardinal, Dolmen, Écume, Galatée, Hélios, Lumen, Menhir,
    Mistral, Opale, Triskell, Véga, Zéphyr, Granit, Cap Ouest, Ouessant, Bréhat, Glénan,
    Sémaphore, Goéland, Aber, Korrigan, Penn Ar Bed, Vauban, Loire, Rhône
    """
)
SECTORS: tuple[str, ...] = items(
    """
    Conseil, Informatique, Logistique, Immobilier, Services, Bâtiment, Distribution,
    Ingénierie, Énergies, Santé, Formation, Expertise, Automobiles, Nautisme, Transports,
    Communication, Assurances, Patrimoine, Environnement, Industrie, Développement,
    Solutions, Digital, Agencement, Habitat, Rénovation, Paysage, Sécurité, Négoce, Marine
    """
)
SCI_NAMES: tuple[str, ...] = items(
    """
    Les Tilleuls, Les Chênes, Les Mouettes, Les Hortensias, Les Genêts, Les Ajoncs,
    du Moulin, du Port, de la Lande, Ker Avel, Les Embruns
    """
)
ASSOCIATIONS: tuple[str, ...] = items(
    """
    Association sportive {of_city}, Club nautique {of_city}, Comité des fêtes {of_city},
    Amicale laïque {of_city}, Les Amis du patrimoine {of_city},
    Union des commerçants {of_city}, École de musique {of_city}, Office culturel {of_city},
    Cercle celtique {of_city}, Judo club {of_city}
    """
)

# (name pattern, SIREN prefix, domain prefixes)
PUBLIC_BODIES: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (pattern, siren_prefix, tuple(domains.split()))
    for pattern, siren_prefix, domains in triples(
        """
        Mairie {of_city}                          | 21  | mairie- ville-
        Communauté de communes du Pays {of_city}  | 200 | cc-pays- cc-
        CCAS {of_city}                            | 26  | ccas-
        Office de tourisme {of_city}              | 200 | tourisme- ot-
        Syndicat intercommunal des eaux {of_city} | 25  | sie-
        """
    )
)

# Departments where a regional extension makes sense.
BRITTANY = frozenset({"22", "29", "35", "44", "56"})
PARIS_AREA = frozenset({"75", "92", "93", "94"})

# (legal form, weight)
LEGAL_FORMS: tuple[tuple[str, int], ...] = weighted(
    """
    SARL 30, SAS 28, SASU 10, EURL 10, SA 5, SCI 5, Association loi 1901 6, SNC 2, SELARL 4
    """
)
# (extension, weight)
TLDS: tuple[tuple[str, int], ...] = weighted(
    """
    fr 55, com 22, net 5, eu 4, bzh 6, org 3, paris 1, info 2, pro 2
    """
)

# Funky local parts: (local part, display name)
SHARED_BOXES: tuple[tuple[str, str], ...] = pairs(
    """
    contact = Contact, accueil = Accueil, compta = Comptabilité,
    commercial = Service commercial, rh = Ressources humaines, support = Support,
    direction = Direction, secretariat = Secrétariat, sav = Service après-vente,
    devis = Devis, facturation = Facturation, recrutement = Recrutement,
    info = Informations, planning = Planning
    """
)
ROOMS: tuple[tuple[str, str], ...] = pairs(
    """
    salle.reunion = Salle de réunion, salle.conseil = Salle du conseil,
    salle.formation = Salle de formation, salle.direction = Salle de direction,
    salle.visio = Salle de visioconférence, salle.atelier = Salle atelier
    """
)
EQUIPMENTS: tuple[tuple[str, str], ...] = pairs(
    """
    videoprojecteur = Vidéoprojecteur, vehicule = Véhicule de service,
    camionnette = Camionnette, ordinateur.pret = Ordinateur de prêt,
    camera = Caméra de visioconférence
    """
)

CLIENT_NOTES: tuple[str, ...] = lines(
    """
    Client historique, ancien hébergement POP/IMAP migré.
    Préfère être contacté le matin.
    Bon de commande obligatoire sur chaque facture.
    Interlocuteur technique : prestataire informatique local.
    Migration depuis une messagerie gratuite en cours de réflexion.
    Demande un récapitulatif annuel des boîtes actives.
    """
)

STAFF: tuple[str, ...] = ("a.le-goff", "m.riou", "s.tanguy", "j.perrin")
"""Logins recorded as authors of the demo's events (no staff account is created)."""
