"""Words that look like names in clinical text but are not identifiers.

Why a list: a general-purpose NER model reads "Parkinson disease", "Crohn's" or "Foley catheter"
as a person, and redacting them destroys the clinical meaning the notes exist for (measured as
precision on planted eponyms). These words are never redacted on NER evidence alone; a titled or
labelled name ("Dr. Murphy", "Patient: Grace Parkinson") is still redacted, because there the
context, not the word, says it is a person.
"""
from __future__ import annotations

EPONYMS = frozenset("""
Addison Alzheimer Apgar Asperger Babinski Baker Barrett Bell Bence Billroth Brudzinski Burkitt Colles Crohn
Cushing Doppler Down Dupuytren Epley Ewing Fallot Foley Ganz Gleason Glasgow Graves Guillain Barre Hartmann
Hashimoto Heimlich Hirschsprung Hodgkin Holter Homan Horner Huntington Kaposi Kawasaki Kernig Korsakoff
Lachman Lyme Marfan McBurney Meniere Murphy Nissen Osgood Paget Parkinson Phalen Raynaud Reiter Romberg Roux
Schlatter Sjogren Swan Tinel Tourette Trendelenburg Valsalva Wernicke Whipple Wilms Wilson Wolff Parkinsonian
Alzheimers Parkinsons Crohns Hodgkins Cushings Graves' Gehrig Lou Levine Kussmaul Cheyne Stokes Virchow Beck
""".split())

# Words that end a drug's name, not a person's: a salt, a form or a drug class. The NER model reads
# "Morphine Sulfate", "Sulfa Antibiotics" or "Ringer Lactate" (two capitalised words) as a person.
DRUG_NAME_ENDS = frozenset("""
sulfate sulphate hydrochloride hcl hydrobromide bromide chloride citrate lactate acetate phosphate succinate tartrate
maleate mesylate besylate fumarate gluconate carbonate bicarbonate oxide sodium potassium calcium magnesium
benzathine procaine antibiotics antibiotic antihistamines penicillins cephalosporins sulfonamides nsaids opioids
opiates statins contrast dye media injection tablets tablet capsules solution suspension cream ointment
""".split())

# Nouns that make a preceding eponym a clinical term ("Foley catheter", "Murphy sign", "Bell palsy"),
# even in a note whose clinician shares the name ("Seen by Dr. Foley").
EPONYM_NOUNS = frozenset("""
catheter catheters sign signs disease syndrome palsy test maneuver manoeuvre procedure operation repair fundoplication
reflex reflexes criteria score scale classification fracture lymphoma sarcoma tumor tumour tube bag esophagus
thyroiditis phenomenon triad position stockings monitor ulcer cyst node nodes law
""".split())

# Capitalised words that open sections or sentences in notes; a sentence whose capitalised words
# are all here needs no NER pass.
KNOWN_CAPS = frozenset("""
History Present Illness Assessment Plan Medications Medication Allergies Allergy Vitals Vital Signs Review Systems
Physical Exam Examination Impression Findings Technique Comparison Indication Subjective Objective Discharge
Summary Admission Admitted Diagnosis Diagnoses Hospital Course Follow Consult Consultation Reason Chief Complaint
Social Family Past Medical Surgical Procedures Procedure Labs Laboratory Results Disposition Instructions
Condition Radiology Report Note Progress Letter Patient Signed Date Time Clinic Department Emergency General
Internal Medicine Cardiology Neurology Oncology Endocrinology Pulmonology Nephrology Gastroenterology Orthopedics
Dermatology Psychiatry Surgery Urology Rheumatology Infectious Disease Primary Care Thank Sincerely Regards
Dear Please Return Call Continue Start Stop Increase Decrease Take Check Obtain Repeat Schedule Consider Recommend
The This That These Those There Patient's He She They His Her Their We Our It No Not Denies Reports Positive
Negative Normal Mild Moderate Severe Chronic Acute Stable Unchanged Improved Worsening New Known Status Post
Type Stage Class Grade Left Right Bilateral Upper Lower Anterior Posterior General Heart Lungs Lung Abdomen
Extremities Skin Neuro Neurologic Psych HEENT Neck Chest Head Eyes Ears Nose Throat Cardiovascular Respiratory
Musculoskeletal Genitourinary Gastrointestinal Blood Pressure Temperature Pulse Weight Height Oxygen Saturation
Room Air Tobacco Alcohol Drugs Smoking Former Current Never Occasional Married Single Divorced Widowed Retired
Works Lives Mother Father Sister Brother Son Daughter Wife Husband Grandmother Grandfather Maternal Paternal
January February March April May June July August September October November December Monday Tuesday
Wednesday Thursday Friday Saturday Sunday Today Yesterday Tomorrow Morning Evening Night Afternoon Daily
Tylenol Motrin Advil Lasix Coumadin Eliquis Xarelto Plavix Lipitor Zocor Crestor Norvasc Lopressor Toprol
Synthroid Glucophage Lantus Humalog Novolog Zoloft Prozac Lexapro Celexa Wellbutrin Xanax Ativan Ambien
Neurontin Lyrica Flomax Proscar Nexium Prilosec Protonix Zantac Pepcid Albuterol Ventolin Advair Symbicort
Spiriva Singulair Prednisone Medrol Keflex Augmentin Zithromax Cipro Levaquin Bactrim Flagyl Vancomycin
Sinemet Aricept Namenda Keppra Dilantin Depakote Lamictal Tegretol Seroquel Zyprexa Risperdal Haldol
CT MRI Chest X-ray Ultrasound Echocardiogram EKG ECG CBC BMP CMP TSH HbA1c INR PT PTT BNP Troponin
Insurance Medicare Medicaid Member Policy Group Account Phone Fax Email Address Contact Emergency Kin
Hospital Center Clinic Medical Health University Memorial General Regional Community Saint St
Dr Mr Mrs Ms Miss Mx Prof Temp Name Attending Prior Ordering Dictated Electronically
Nursing Home Rehabilitation Facility Unit ICU ER ED OR PACU Floor Ward Bed Room Suite Building
""".split())

# Places NER labels GPE that are not identifiers under Safe Harbor (states and countries may stay).
ALLOWED_PLACES = frozenset("""
Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho Illinois
Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota Mississippi Missouri
Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah Vermont Virginia Washington
Wisconsin Wyoming America USA US U.S. Mexico Canada China India Vietnam Philippines Nigeria Ghana Ethiopia Kenya
Brazil Colombia Peru Guatemala Haiti Jamaica Cuba Ireland England Scotland Germany France Italy Spain Poland
Russia Ukraine Korea Japan Pakistan Bangladesh Iran Iraq Syria Lebanon Egypt Morocco Somalia Sudan Europe Asia
Africa New Hampshire Jersey York Mexico Carolina Dakota Rhode Island West
""".split())

# Lower-case words that follow a title or a role in quickly typed notes ("seen by dr. patel today",
# "per nurse practitioner", "d/w nurse at bedside") and are not names. In lower case only the
# context says a word is a name, so the word after "dr." or "nurse" is taken as one unless it is
# here, in spaCy's English stop words or in `KNOWN_CAPS` (see `recognizers.LOWER_NAME`).
NOT_NAMES = frozenset("""
today tonight tomorrow yesterday now later soon aware notified paged called agrees agreed recommends recommended
ordered orders saw seen says said states stated reports reported requests requested notes noted note documented
office team service clinic practitioner practitioners manager educator navigator station visit staff triage
assistant aide specialist coordinator supervisor bedside present informed consulted available unavailable
following follows input preference prefers wants wanted asked told gave given administered held checked placed
removed drew obtained assisted noticed observed witnessed found concerned contacted confirmed updated
reviews reviewing examines examining sees seeing evaluates discusses feels felt thinks thought believes suggests
explains plans performs signs approves writes wrote
pt pts hx dx tx rx sx yo prn bid tid qid qd qhs po iv im sq npo ok okay yes yeah um uh hmm sure hi hello thanks
apt suite unit unknown anonymous withheld
""".split())
