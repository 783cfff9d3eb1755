-- One name per feature: the territory-budget job was recorded as "audience".
UPDATE model_runs SET job = 'budget' WHERE job = 'audience';
