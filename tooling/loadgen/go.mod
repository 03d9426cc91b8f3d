module civicgrid.local/loadgen

go 1.22
