/* EVTX throughput against libevtx's evtxexport: placeholder. */
int main(void)
{
	return 0;
}
